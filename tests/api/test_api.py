"""The REST API on the sample bundle: every endpoint, and every bad request answered 4xx JSON."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.fixtures.bundles import SampleBundle
from ytrec.api import Settings
from ytrec.server import create_app
from ytrec.api.errors import VideoNotFound, describe
from ytrec.core.query import MAX_K
from ytrec.core.recommender import Recommender
from ytrec.errors import ArtifactError, CatalogError, ModelUnavailableError, QueryError
from ytrec.signals.calibration import Calibration


@pytest.fixture(scope="module")
def video_id(recommender: Recommender) -> str:
    return recommender.catalog.video_ids[7]


def jpeg(size: tuple[int, int] = (320, 180), color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def assert_error(response, status: int, kind: str, *fragments: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == kind
    for fragment in fragments:
        assert fragment in error["message"]
    assert "Traceback" not in response.text


def test_healthz(client: TestClient):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["videos"] == 120 and body["channels"] == 10
    assert {"thumbnail", "title"} <= set(body["modalities"])
    assert body["models"]["title"] == "offline:all-MiniLM-L6-v2"
    assert "16-d" in body["models"]["thumbnail"]


def test_browse_paginates_and_filters(client: TestClient, recommender: Recommender):
    first = client.get("/api/videos", params={"per_page": 50}).json()
    second = client.get("/api/videos", params={"per_page": 50, "page": 3}).json()
    assert first["total"] == 120 and first["pages"] == 3 and len(first["items"]) == 50
    assert len(second["items"]) == 20
    assert first["items"][0]["video_id"] == recommender.catalog.video_ids[0]
    item = first["items"][0]
    assert item["thumbnail_url"] == f"/thumbs/{item['video_id']}.jpg" and item["page_url"].startswith("/videos/")

    channel = recommender.catalog.record(0)["channel"]
    by_channel = client.get("/api/videos", params={"channel": channel, "per_page": 100}).json()
    assert by_channel["total"] == sum(c == channel for c in recommender.catalog.column("channel"))
    assert all(v["channel"] == channel for v in by_channel["items"])

    word = recommender.catalog.titles[0].split()[0]
    by_text = client.get("/api/videos", params={"q": word.upper(), "per_page": 100}).json()
    assert by_text["total"] >= 1 and all(word.casefold() in v["title"].casefold() for v in by_text["items"])

    shuffled = [client.get("/api/videos", params={"seed": 7}).json()["items"] for _ in range(2)]
    assert shuffled[0] == shuffled[1] and shuffled[0] != first["items"][:24]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"per_page": 0}, "between 1 and 100"),
        ({"per_page": 101}, "between 1 and 100"),
        ({"page": 0}, "1 or more"),
        ({"channel": "No Such Channel"}, "unknown channel"),
        ({"q": "x" * 201}, "limit is 200"),
    ],
)
def test_browse_bad_requests(client: TestClient, params: dict, fragment: str):
    assert_error(client.get("/api/videos", params=params), 400, "query_error", fragment)


def test_one_video(client: TestClient, video_id: str, recommender: Recommender):
    body = client.get(f"/api/videos/{video_id}").json()
    assert body["video_id"] == video_id and body["title"] == recommender.catalog.titles[7]
    assert body["channel"] and body["category"] and body["published_at"]
    assert_error(client.get("/api/videos/nope"), 404, "not_found", "unknown video id 'nope'")


def test_recommendations_are_ranked_and_explained(
    client: TestClient, video_id: str, recommender: Recommender, monkeypatch
):
    body = client.get(f"/api/videos/{video_id}/recommendations", params={"k": 8}).json()
    items = body["items"]
    assert body["video"]["video_id"] == video_id and body["mode"] == "hybrid" and body["weights"] is None
    assert [i["rank"] for i in items] == list(range(1, 9))
    assert video_id not in {i["video_id"] for i in items}
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= i["thumbnail_score"] <= 1.0 and -1.0 <= i["title_score"] <= 1.0 for i in items)
    # pool query expansion (fusion/expansion.py) re-weighs every contribution alike: they add up
    assert all(sum(i["contributions"].values()) == pytest.approx(i["score"], abs=1e-5) for i in items)
    # without the expansion and the score calibration (tests/test_end_to_end.py checks that one), a
    # score is the fused similarity to the video
    monkeypatch.setattr(recommender, "expansion", 0)
    monkeypatch.setattr(recommender, "calibration", Calibration())
    weighted = client.get(
        f"/api/videos/{video_id}/recommendations", params={"k": 8, "w_thumbnail": 1, "w_title": 3}
    ).json()
    for item in weighted["items"]:
        assert item["score"] == pytest.approx((item["thumbnail_score"] + 3 * item["title_score"]) / 4, abs=1e-5)

    thumb_only = client.get(f"/api/videos/{video_id}/recommendations", params={"k": 8, "mode": "thumbnail"}).json()
    assert all(i["score"] == pytest.approx(i["thumbnail_score"], abs=1e-6) for i in thumb_only["items"])
    by_title = client.get(
        f"/api/videos/{video_id}/recommendations", params={"k": 8, "w_thumbnail": 0, "w_title": 1}
    ).json()
    assert by_title["weights"] == {"thumbnail": 0.0, "title": 1.0}
    assert all(i["score"] == pytest.approx(i["title_score"], abs=1e-6) for i in by_title["items"])
    assert [i["video_id"] for i in by_title["items"]] != [i["video_id"] for i in thumb_only["items"]]
    assert len(client.get(f"/api/videos/{video_id}/recommendations").json()["items"]) == 10  # default k
    lexical = client.get(
        f"/api/videos/{video_id}/recommendations", params={"k": 5, "w_thumbnail": 0, "w_title": 0, "w_lexical": 1}
    ).json()
    assert lexical["weights"] == {"thumbnail": 0.0, "title": 0.0, "title_lexical": 1.0}
    assert all(i["score"] == pytest.approx(i["scores"]["title_lexical"], abs=1e-5) for i in lexical["items"])


@pytest.mark.parametrize(
    ("params", "status", "kind", "fragment"),
    [
        ({"k": 0}, 400, "query_error", f"between 1 and {MAX_K}"),
        ({"k": MAX_K + 1}, 400, "query_error", f"between 1 and {MAX_K}, got {MAX_K + 1}"),
        ({"k": "ten"}, 422, "validation_error", "query parameter 'k'"),
        ({"mode": "best"}, 400, "query_error", "unknown mode 'best'"),
        ({"w_thumbnail": -1}, 400, "query_error", ">= 0"),
        ({"w_title": "nan"}, 400, "query_error", ">= 0"),
        ({"w_thumbnail": 0, "w_title": 0}, 400, "query_error", "at least one weight must be positive"),
    ],
)
def test_recommendation_bad_requests(client: TestClient, video_id: str, params, status, kind, fragment):
    response = client.get(f"/api/videos/{video_id}/recommendations", params=params)
    assert_error(response, status, kind, fragment)


def test_recommendations_for_unknown_id(client: TestClient):
    assert_error(client.get("/api/videos/nope/recommendations"), 404, "not_found", "'nope'")


def test_cold_start_finds_the_same_video(client: TestClient, sample_bundle: SampleBundle, video_id: str):
    image = sample_bundle.source_thumbnail(video_id).read_bytes()
    title = client.get(f"/api/videos/{video_id}").json()["title"]
    response = client.post(
        "/api/recommendations",
        files={"image": ("thumb.jpg", image, "image/jpeg")},
        data={"title": title, "k": "5"},
    )
    body = response.json()
    assert response.status_code == 200, response.text
    assert body["video"] is None and body["title"] == title and len(body["items"]) == 5
    top = body["items"][0]
    assert top["video_id"] == video_id
    # the upload is the source picture, normalized in memory; the catalog holds its JPEG-encoded
    # normalization, and centred latents (the catalog mean subtracted) spread such near-identical
    # pictures a little more than raw ones did: ~1.4e-3 below 1 on one CI machine
    assert top["thumbnail_score"] == pytest.approx(1.0, abs=5e-3)
    assert top["title_score"] == pytest.approx(1.0, abs=1e-3)

    title_only = client.post("/api/recommendations", data={"title": title, "mode": "title", "k": "3"})
    assert title_only.status_code == 200 and len(title_only.json()["items"]) == 3


def bomb_png() -> bytes:
    """A 10,000 x 10,000 one-bit PNG: 100 megapixels in a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("files", "data", "status", "kind", "fragment"),
    [
        ({"image": ("notes.txt", b"just text", "text/plain")}, {"title": "a title"}, 400, "query_error",
         "not an image"),
        ({"image": ("empty.jpg", b"\xff\xd8\xff\xe0garbage", "image/jpeg")}, {"title": "a title"}, 400,
         "query_error", "thumbnail rejected"),
        ({"image": ("bomb.png", bomb_png(), "image/png")}, {"title": "a title"}, 400, "query_error",
         "decompression bomb"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {}, 400, "query_error", "needs title"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {"title": "   "}, 400, "query_error", "needs title"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {"title": "x" * 501}, 400, "query_error", "limit is 500"),
        (None, {"title": "no image here"}, 400, "query_error", "needs thumbnail"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {"title": "t", "k": "0"}, 400, "query_error", "between 1 and"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {"title": "t", "mode": "x"}, 400, "query_error", "unknown mode"),
        ({"image": ("t.jpg", jpeg(), "image/jpeg")}, {"title": "t", "w_title": "-2"}, 400, "query_error", ">= 0"),
    ],
)
def test_cold_start_bad_requests(client: TestClient, files, data, status, kind, fragment):
    assert_error(client.post("/api/recommendations", files=files, data=data), status, kind, fragment)


def test_upload_size_limit(recommender: Recommender):
    limited = TestClient(create_app(recommender, Settings(max_upload_bytes=20_000)), raise_server_exceptions=False)
    big = jpeg((1600, 900)) + b"\0" * 20_000
    response = limited.post("/api/recommendations", files={"image": ("big.jpg", big, "image/jpeg")}, data={"title": "t"})
    assert_error(response, 413, "payload_too_large", "20,000 bytes")

    def chunks():  # no Content-Length: the body is counted as it streams in
        yield b"x" * 50_000
        yield b"x" * 50_000

    streamed = limited.post(
        "/api/recommendations", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert_error(streamed, 413, "payload_too_large", "20,000 bytes")
    small = limited.post("/api/recommendations", files={"image": ("s.jpg", jpeg(), "image/jpeg")}, data={"title": "t"})
    assert small.status_code == 200


def test_search(client: TestClient, recommender: Recommender):
    title = recommender.catalog.titles[11]
    body = client.get("/api/search", params={"q": title, "k": 3}).json()
    assert body["q"] == title and [i["rank"] for i in body["items"]] == [1, 2, 3]
    assert body["items"][0]["title"] == title
    assert body["items"][0]["thumbnail_score"] is None  # a text query has no thumbnail side
    for params, fragment in [({}, "empty"), ({"q": "  "}, "empty"), ({"q": "x" * 501}, "limit is 500"),
                             ({"q": "curry", "k": 0}, "between 1 and")]:
        assert_error(client.get("/api/search", params=params), 400, "query_error", fragment)


def test_thumbnails_come_from_the_bundle_only(client: TestClient, video_id: str):
    response = client.get(f"/thumbs/{video_id}.jpg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.content[:2] == b"\xff\xd8" and "max-age" in response.headers["cache-control"]
    assert_error(client.get("/thumbs/nope.jpg"), 404, "not_found")
    for probe in ("/thumbs/..%2Fmanifest.json.jpg", "/thumbs/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.jpg"):
        assert client.get(probe).status_code == 404


def test_unknown_routes_and_methods_are_json(client: TestClient):
    assert_error(client.get("/api/nothing"), 404, "not_found", "/api/nothing")
    assert_error(client.delete("/api/videos"), 405, "method_not_allowed")


def test_openapi_documents_the_api(client: TestClient):
    spec = client.get("/openapi.json").json()
    for path in ("/api/videos", "/api/videos/{video_id}", "/api/videos/{video_id}/recommendations",
                 "/api/recommendations", "/api/search", "/healthz"):
        assert path in spec["paths"]
    assert "ScoredVideo" in spec["components"]["schemas"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()  # works offline
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_unexpected_errors_are_a_bare_500(recommender: Recommender, video_id: str, monkeypatch):
    app = create_app(recommender, Settings())
    monkeypatch.setattr(recommender, "similar_row", lambda *a, **kw: 1 / 0)
    response = TestClient(app, raise_server_exceptions=False).get(f"/api/videos/{video_id}/recommendations")
    assert_error(response, 500, "internal_error", "server log")
    assert "ZeroDivisionError" not in response.text


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (ModelUnavailableError("no model"), 503, "model_unavailable"),
        (ArtifactError("broken bundle"), 503, "artifact_error"),
        (CatalogError("bad catalog"), 400, "catalog_error"),
        (QueryError("bad query\nsecond line"), 400, "query_error"),
        (VideoNotFound("x"), 404, "not_found"),
    ],
)
def test_error_types_map_to_statuses(error, status, kind):
    assert describe(error)[:2] == (status, kind)
    assert "\n" not in describe(error)[2]


def test_concurrent_encoding_requests(client: TestClient, recommender: Recommender, video_id: str):
    """Searches, uploads and catalog lookups at once: the models are shared by the threadpool."""
    titles = recommender.catalog.titles[:12]

    def call(i: int) -> int:
        if i % 3 == 0:
            return client.get("/api/search", params={"q": titles[i % 12], "k": 5}).status_code
        if i % 3 == 1:
            files = {"image": ("t.jpg", jpeg(color=(i * 7 % 255, 90, 30)), "image/jpeg")}
            return client.post("/api/recommendations", files=files, data={"title": titles[i % 12]}).status_code
        return client.get(f"/api/videos/{video_id}/recommendations").status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(call, range(24))) == {200}
