"""The pages without a browser: server-rendered HTML works with no JavaScript at all."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.bundles import SampleBundle
from ytrec.api import Settings
from ytrec.server import create_app
from ytrec.core.recommender import Recommender


def ranks(html: str) -> list[int]:
    return [int(r) for r in re.findall(r'<span data-field="rank">(\d+)</span>', html)]


def test_home_grid_paginates_with_a_stable_shuffle(client: TestClient, recommender: Recommender):
    html = client.get("/", params={"seed": 3}).text
    assert html.count('class="card"') == 24 and 'alt="' in html
    assert "Page 1 of 5" in html and "seed=3" in html
    assert html == client.get("/", params={"seed": 3}).text
    channel = recommender.catalog.record(0)["channel"]
    filtered = client.get("/", params={"channel": channel}).text
    count = sum(c == channel for c in recommender.catalog.column("channel"))
    assert filtered.count('class="card"') == count


def test_video_page_lists_ranked_recommendations_without_js(client: TestClient, recommender: Recommender):
    video_id = recommender.catalog.video_ids[4]
    html = client.get(f"/videos/{video_id}").text
    assert recommender.catalog.titles[4].replace("'", "&#39;") in html
    assert "You may also like" in html and ranks(html) == list(range(1, 11))
    assert html.count('data-bar="thumbnail"') == 11  # ten cards plus the JS card template
    assert html.count('data-bar="lexical"') == 11 and html.count('data-bar="lexical" hidden') == 1  # template
    title_only = client.get(f"/videos/{video_id}", params={"mode": "hybrid", "balance": 0}).text
    thumb_only = client.get(f"/videos/{video_id}", params={"mode": "hybrid", "balance": 100}).text
    ids = lambda page: re.findall(r'<a class="card-link" href="/videos/([^"]+)"', page)  # noqa: E731
    assert ids(title_only) != ids(thumb_only)
    assert 'value="0"' in title_only and "0% thumbnail · 100% title" in title_only


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/videos/nope", 404, "unknown video id"),
        ("/videos/{id}?mode=best", 400, "unknown mode"),
        ("/videos/{id}?balance=150", 400, "between 0 and 100"),
        ("/?page=abc", 422, "query parameter"),
        ("/no-such-page", 404, "/no-such-page"),
    ],
)
def test_page_errors_are_html(client: TestClient, recommender: Recommender, path: str, status: int, fragment: str):
    response = client.get(path.replace("{id}", recommender.catalog.video_ids[0]))
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")
    assert fragment in response.text and "Traceback" not in response.text


def test_search_page(client: TestClient, recommender: Recommender):
    title = recommender.catalog.titles[9]
    html = client.get("/search", params={"q": title}).text
    assert ranks(html)[:3] == [1, 2, 3]
    assert client.get("/search").status_code == 200
    too_long = client.get("/search", params={"q": "x" * 600})
    assert too_long.status_code == 400 and "limit is 500" in too_long.text


def test_new_video_form_posts_without_js(client: TestClient, sample_bundle: SampleBundle, recommender: Recommender):
    assert 'enctype="multipart/form-data"' in client.get("/new").text
    video_id = recommender.catalog.video_ids[2]
    image = sample_bundle.source_thumbnail(video_id).read_bytes()
    response = client.post(
        "/new", files={"image": ("t.jpg", image, "image/jpeg")}, data={"title": recommender.catalog.titles[2]}
    )
    assert response.status_code == 200 and ranks(response.text) == list(range(1, 11))
    empty_file = client.post("/new", files={"image": ("", b"", "application/octet-stream")}, data={"title": "t"})
    assert empty_file.status_code == 400 and "needs thumbnail" in empty_file.text
    not_image = client.post("/new", files={"image": ("a.txt", b"text", "text/plain")}, data={"title": "t"})
    assert not_image.status_code == 400 and "not an image" in not_image.text


def test_static_assets_are_served_locally(client: TestClient):
    html = client.get("/new").text
    assert "http://" not in html and "https://" not in html  # no CDN: the page works offline
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_titles_only_bundle(sample_bundle: SampleBundle, tmp_path):
    """A bundle without thumbnails: placeholders instead of images, no balance slider or thumbnail mode."""
    from ytrec.encoders.title import OFFLINE_MODEL_ALIAS
    from ytrec.pipeline.build import BuildOptions, build_bundle

    options = BuildOptions(text_model=OFFLINE_MODEL_ALIAS, use_thumbnails=False)
    build_bundle(str(sample_bundle.catalog_csv), tmp_path / "titles", options, log=lambda message: None)
    client = TestClient(create_app(tmp_path / "titles", Settings()), raise_server_exceptions=False)
    video_id = client.get("/api/videos").json()["items"][0]["video_id"]
    html = client.get(f"/videos/{video_id}").text
    assert "<img" not in html and "thumb-placeholder" in html and ranks(html) == list(range(1, 11))
    assert 'name="balance"' not in html and 'value="thumbnail"' not in html
    assert client.get(f"/thumbs/{video_id}.jpg").status_code == 404
    assert client.get(f"/api/videos/{video_id}/recommendations", params={"w_thumbnail": 1}).status_code == 400
