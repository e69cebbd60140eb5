"""Serving under load, in one process: the bounded encoding pool (503 + Retry-After, reads never
stall behind it), CORS off unless asked for, a reload that swaps a whole new bundle generation in,
and what `ytrec serve` says when it binds beyond this machine."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ytrec.api import Settings
from ytrec.api.live import generation
from ytrec.artifact.bundle import Bundle
from ytrec.server import create_app
from ytrec.server.workers import exposure_warnings, is_loopback


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_encoding_past_capacity_is_503_with_retry_after_and_reads_go_on(recommender):
    app = create_app(recommender, Settings(encode_queue=1))
    client = TestClient(app, raise_server_exceptions=False)
    pool = app.state.live.current().encoding
    video = recommender.catalog.video_ids[0]
    statuses: list[int] = []
    with pool.model_lock:  # the models are busy: the first search waits for them
        waiting = threading.Thread(target=lambda: statuses.append(client.get("/api/search", params={"q": "cooking"}).status_code))
        waiting.start()
        wait_until(lambda: pool.admitted == 1)
        refused = client.get("/api/search", params={"q": "travel"})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["error"]["type"] == "busy" and "retry" in refused.json()["error"]["message"]
        upload = client.post("/api/recommendations", data={"title": "a new video"})
        assert upload.status_code == 503
        # a plain read needs no model: it answers while the encoding queue is full
        assert client.get(f"/api/videos/{video}/recommendations", params={"k": 3}).status_code == 200
        assert client.get("/healthz").status_code == 200
    waiting.join(timeout=60)
    assert statuses == [200]
    assert pool.admitted == 0


def test_cors_is_off_unless_asked_for(recommender):
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    plain = TestClient(create_app(recommender, Settings(warm_up=False)))
    response = plain.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in plain.options("/api/videos", headers=preflight).headers

    allowed = TestClient(create_app(recommender, Settings(warm_up=False, cors_origins=("https://elsewhere.example",))))
    response = allowed.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "https://elsewhere.example"
    other = allowed.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_a_write_by_another_process_is_served_after_a_reload(sample_bundle, tmp_path: Path):
    """What a worker does when another worker (here: the pipeline directly) publishes a change."""
    from ytrec.pipeline.update import remove_videos

    root = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, root)
    app = create_app(root, Settings())
    client = TestClient(app, raise_server_exceptions=False)
    live = app.state.live
    before = live.current()
    n = client.get("/healthz").json()["videos"]
    gone = Bundle.load(root).catalog.video_ids[5]
    old_generation = generation(root)
    remove_videos(root, [gone], log=lambda message: None)
    assert generation(root) != old_generation
    wait_until(lambda: client.get("/healthz").json()["videos"] == n - 1, timeout=30)
    after = live.current()
    assert after is not before and after.encoding is before.encoding  # one pool per worker
    assert after.recommender.title_embedder is before.recommender.title_embedder  # models handed over
    assert client.get(f"/api/videos/{gone}").status_code == 404
    assert before.recommender.similar(before.recommender.catalog.video_ids[0], k=3)  # old files still readable


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_binds_say_nothing(host):
    assert is_loopback(host) and exposure_warnings(host, Settings()) == []


def test_binding_beyond_this_machine_warns():
    without_key = exposure_warnings("0.0.0.0", Settings())
    assert any("open to every machine" in line for line in without_key)
    assert any("write endpoints stay off" in line for line in without_key)
    with_key = exposure_warnings("0.0.0.0", Settings(api_key="k"))
    assert any("TLS" in line for line in with_key)


def test_numbers_beyond_64_bits_are_echoed_not_a_500(client):
    """orjson stops at 64-bit integers; a huge page or seed still gets the plain answer."""
    huge = 10**26
    response = client.get("/api/videos", params={"page": huge, "seed": -huge})
    assert response.status_code == 200
    assert response.json()["page"] == huge and response.json()["seed"] == -huge and response.json()["items"] == []


def test_every_signal_has_a_weight_parameter(client, recommender):
    """w_<flag> per signal of the registry: w_copy weighs the copy signal (0 by default)."""
    video = recommender.catalog.video_ids[2]
    body = client.get(f"/api/videos/{video}/recommendations", params={"k": 3, "w_copy": 1}).json()
    assert body["weights"] == {"thumbnail_copy": 1.0}
    assert len(body["items"]) == 3


def test_a_write_waiting_for_the_bundle_lock_holds_no_model(sample_bundle, tmp_path: Path):
    """While another process writes the bundle, this worker's write waits for the lock without
    holding the models: its searches and uploads go on meanwhile."""
    import io

    from PIL import Image

    from ytrec.artifact.update import bundle_lock

    root = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, root)
    app = create_app(root, Settings(api_key="key"))
    client = TestClient(app, raise_server_exceptions=False)
    pool = app.state.live.current().encoding
    image = io.BytesIO()
    Image.new("RGB", (320, 180), (10, 200, 90)).save(image, format="JPEG")
    added: list[int] = []
    searched: list[int] = []
    with bundle_lock(root):  # another process is publishing
        adding = threading.Thread(target=lambda: added.append(client.post(
            "/api/videos", headers={"X-API-Key": "key"}, data={"video_id": "locked-1", "title": "Waiting for the lock"},
            files={"image": ("t.jpg", image.getvalue(), "image/jpeg")}).status_code))
        adding.start()
        wait_until(lambda: pool.admitted == 1)
        time.sleep(0.2)  # the write is now inside add_videos, blocked on the bundle lock
        search = threading.Thread(target=lambda: searched.append(client.get("/api/search", params={"q": "cooking"}).status_code))
        search.start()
        search.join(timeout=60)
        assert searched == [200]
        assert added == []
    adding.join(timeout=120)
    assert added == [201]
    assert client.get("/api/videos/locked-1").status_code == 200
