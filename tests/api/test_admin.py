"""POST /api/videos and DELETE /api/videos/{id}: API key, validation, atomic update, served bundle swapped."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from ytrec.api import Settings
from ytrec.server import create_app
from ytrec.artifact.bundle import Bundle

KEY = "s3cret-key"


def jpeg(color=(10, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), color).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def bundle(sample_bundle, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("admin") / "bundle"
    shutil.copytree(sample_bundle.bundle, root)
    return root


@pytest.fixture(scope="module")
def client(bundle: Path) -> TestClient:
    return TestClient(create_app(bundle, Settings(api_key=KEY)), raise_server_exceptions=False)


def test_write_endpoints_are_disabled_without_a_key(sample_bundle):
    client = TestClient(create_app(sample_bundle.bundle, Settings(warm_up=False)), raise_server_exceptions=False)
    response = client.delete("/api/videos/anything")
    assert response.status_code == 403 and "--api-key" in response.json()["error"]["message"]
    assert client.get("/api/videos").status_code == 200  # reads stay open


def test_wrong_or_missing_key_is_401(client: TestClient, bundle: Path):
    assert client.delete("/api/videos/x").status_code == 401
    assert client.delete("/api/videos/x", headers={"X-API-Key": "nope"}).status_code == 401
    response = client.post("/api/videos", data={"video_id": "n1", "title": "t"}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_add_then_recommend_then_remove(client: TestClient, bundle: Path):
    n = len(Bundle.load(bundle).catalog)
    headers = {"X-API-Key": KEY}
    response = client.post("/api/videos", headers=headers,
                           data={"video_id": "api-new", "title": "A brand new cooking video", "channel": "New Ch"},
                           files={"image": ("t.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["video"]["video_id"] == "api-new" and body["videos"] == n + 1
    assert body["drift"]["reference_error"] > 0
    assert client.get("/api/videos/api-new").json()["channel"] == "New Ch"
    recs = client.get("/api/videos/api-new/recommendations", params={"k": 5})
    assert recs.status_code == 200 and len(recs.json()["items"]) == 5
    assert client.get("/thumbs/api-new.jpg").status_code == 200
    assert len(Bundle.load(bundle).catalog) == n + 1  # published on disk too

    dup = client.post("/api/videos", headers=headers, data={"video_id": "api-new", "title": "again"},
                      files={"image": ("t.jpg", jpeg(), "image/jpeg")})
    assert dup.status_code == 409
    bad = client.post("/api/videos", headers=headers, data={"video_id": "api-bad", "title": "x"},
                      files={"image": ("t.jpg", b"not an image", "image/jpeg")})
    assert bad.status_code == 400 and "not_an_image" in bad.json()["error"]["message"]
    no_image = client.post("/api/videos", headers=headers, data={"video_id": "api-noimg", "title": "x"})
    assert no_image.status_code == 400 and "thumbnail" in no_image.json()["error"]["message"]
    assert len(Bundle.load(bundle).catalog) == n + 1

    gone = client.delete("/api/videos/api-new", headers=headers)
    assert gone.status_code == 200 and gone.json() == {"removed": "api-new", "videos": n}
    assert client.get("/api/videos/api-new").status_code == 404
    assert client.delete("/api/videos/api-new", headers=headers).status_code == 404
    assert len(Bundle.load(bundle).catalog) == n


def test_search_knobs_are_query_parameters(client: TestClient, bundle: Path):
    video = Bundle.load(bundle).catalog.video_ids[3]
    plain = client.get(f"/api/videos/{video}/recommendations", params={"k": 5})
    tuned = client.get(f"/api/videos/{video}/recommendations", params={"k": 5, "ef_search": 200, "nprobe": 8})
    assert tuned.status_code == 200 and [i["video_id"] for i in tuned.json()["items"]] == \
        [i["video_id"] for i in plain.json()["items"]]  # a flat bundle: exact either way
    bad = client.get(f"/api/videos/{video}/recommendations", params={"nprobe": 0})
    assert bad.status_code == 400 and "nprobe" in bad.json()["error"]["message"]
