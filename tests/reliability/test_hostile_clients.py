"""Hostile clients against a real ``ytrec serve``: 0 5xx, no file from outside the bundle, no traceback.

The server runs as users start it (``ytrec serve BUNDLE --api-key KEY``) on a copy of the sample
bundle, with a sentinel file beside the bundle folder that no request may read.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.hostile_requests import (
    LEAK_MARKERS, SENTINEL, TRACEBACK_MARKERS, Hostile, every_parameter_traversals, hostile_requests, send,
)

MAX_UPLOAD_MB = 1
API_KEY = secrets.token_urlsafe(24)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_bundle, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    bundle = root / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    (root / "secret.txt").write_text(SENTINEL)
    (root / "secret.txt.jpg").write_text(SENTINEL)
    port = _free_port()
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    log = (root / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "ytrec.cli", "serve", str(bundle), "--port", str(port), "--api-key", API_KEY,
         "--max-upload-mb", str(MAX_UPLOAD_MB)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while send_quietly(port) != 200:
            assert process.poll() is None, (root / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
        yield port, sample_bundle, root
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def send_quietly(port: int) -> int:
    try:
        return send(port, Hostile("health", "GET", "/healthz"), timeout=5)[0]
    except OSError:
        return 0


def _first_video(sample_bundle) -> str:
    import csv

    with sample_bundle.catalog_csv.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))["video_id"]


def test_hostile_requests_get_no_5xx_no_leak_no_traceback(server):
    port, sample_bundle, root = server
    video_id = _first_video(sample_bundle)
    status, schema = send(port, Hostile("schema", "GET", "/openapi.json"))
    assert status == 200
    routes = json.loads(schema)["paths"]
    requests = hostile_requests(video_id, API_KEY, MAX_UPLOAD_MB * 2**20)
    requests += every_parameter_traversals(json.loads(schema), video_id, API_KEY)
    assert len(requests) >= 100 and len(routes) >= 5
    statuses: Counter[int] = Counter()
    problems = []
    for request in requests:
        status, body = send(port, request)
        statuses[status] += 1
        text = body.decode("utf-8", errors="replace")
        if status >= 500 or status == 0:
            problems.append(f"{request.label}: status {status}: {text[:300]}")
        if request.expect is not None and status not in request.expect:
            problems.append(f"{request.label}: status {status}, expected {sorted(request.expect)}: {text[:200]}")
        for marker in LEAK_MARKERS + TRACEBACK_MARKERS:
            if marker in text:
                problems.append(f"{request.label}: body contains {marker!r}")
    print(f"\nhostile requests: {len(requests)}; statuses {dict(sorted(statuses.items()))}")
    assert not problems, "\n".join(problems)
    assert send(port, Hostile("still healthy", "GET", "/healthz"))[0] == 200


def test_refused_writes_changed_nothing(server):
    port, sample_bundle, root = server
    status, body = send(port, Hostile("count", "GET", "/api/videos?per_page=1"))
    assert status == 200 and b'"total":120' in body.replace(b" ", b"")
    assert send(port, Hostile("kept", "GET", f"/api/videos/{_first_video(sample_bundle)}"))[0] == 200
    assert send(port, Hostile("not added", "GET", "/api/videos/h6-new"))[0] == 404
    assert not any(path.name == "evil.jpg" for path in Path("/tmp").glob("evil.jpg"))


def test_the_default_local_bind_starts_without_an_exposure_warning(server):
    port, sample_bundle, root = server
    log = (root / "server.log").read_text()
    assert "serving" in log and "ytrec: warning:" not in log, log[-2000:]
