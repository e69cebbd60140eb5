"""Failures against the real server: unreachable at start, lost while serving, a killed publish."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from tests.fixtures.bundles import SampleBundle
from ytrec.api import Settings
from ytrec.artifact.bundle import Bundle
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.milvus.connection import URI_ENV, client_for
from ytrec.milvus.publish import publish_bundle
from ytrec.server import create_app

DEAD_URI = "http://127.0.0.1:1"


def _one_line_naming(err: str, uri: str) -> None:
    err = err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert uri in err and "unreachable" in err, err


def test_unreachable_milvus_at_start_is_one_line_exit_2(milvus_bundle: Path, sample_bundle: SampleBundle, capsys, monkeypatch):
    vid = Bundle.load(sample_bundle.bundle).catalog.video_ids[0]
    monkeypatch.setenv(URI_ENV, DEAD_URI)  # the bundle's collections, looked for on a server that is not there
    for argv in (["recommend", str(milvus_bundle), vid], ["info", str(milvus_bundle)]):
        assert main(argv) == 2
        _one_line_naming(capsys.readouterr().err, DEAD_URI)
    monkeypatch.delenv(URI_ENV)
    assert main(["publish", str(sample_bundle.bundle), "--milvus-uri", DEAD_URI]) == 2
    _one_line_naming(capsys.readouterr().err, DEAD_URI)


def test_serve_refuses_to_start_when_milvus_is_unreachable(milvus_bundle: Path):
    env = {**os.environ, URI_ENV: DEAD_URI}
    done = subprocess.run([sys.executable, "-m", "ytrec.cli", "serve", str(milvus_bundle), "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    _one_line_naming(done.stderr, DEAD_URI)


def test_milvus_lost_while_serving_is_503_then_recovers_without_restart(milvus, milvus_bundle: Path):
    recommender = Recommender.open(milvus_bundle)
    vid = recommender.catalog.video_ids[0]
    client = TestClient(create_app(recommender, Settings()), raise_server_exceptions=False)
    url = f"/api/videos/{vid}/recommendations?k=5"
    assert client.get(url).status_code == 200
    milvus.stop()
    try:
        lost = client.get(url)
        assert lost.status_code == 503, lost.text
        error = lost.json()["error"]
        assert error["type"] == "store_unavailable" and milvus.uri in error["message"]
    finally:
        milvus.start()
    deadline = time.monotonic() + 120
    while True:  # the restarted server reloads its collections by itself (a few seconds)
        back = client.get(url)
        if back.status_code == 200 or time.monotonic() > deadline:
            break
        assert back.status_code == 503, back.text
        time.sleep(1)
    assert back.status_code == 200, back.text
    assert [r["video_id"] for r in back.json()["items"]] == [r.video_id for r in recommender.similar(vid, 5)]


def test_killed_publish_leaves_previous_collections_in_use(milvus, sample_bundle: SampleBundle, tmp_path: Path):
    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    target = milvus.target("t_kill")
    publish_bundle(bundle, target, log=lambda m: None)
    client = client_for(target)
    before = json.loads((bundle / "manifest.json").read_text())
    aliases = [m["collection"] for m in before["modalities"].values() if m["index"] == "milvus"]
    live = {a: client.describe_alias(a)["collection_name"] for a in aliases}
    vid = Bundle.load(bundle).catalog.video_ids[0]
    expected = [r.video_id for r in Recommender.open(bundle).similar(vid, 5)]

    # publish again (vectors read back from Milvus) and kill it once the first new generation is loaded
    publishing = subprocess.Popen(
        [sys.executable, "-m", "ytrec.cli", "publish", str(bundle), "--milvus-uri", milvus.uri, "--milvus-prefix", "t_kill"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    for line in publishing.stdout:
        if "vectors into" in line:
            break
    publishing.send_signal(signal.SIGKILL)
    publishing.wait(timeout=30)

    assert json.loads((bundle / "manifest.json").read_text()) == before
    assert {a: client.describe_alias(a)["collection_name"] for a in live} == live
    orphans = [c for c in client.list_collections() if c.startswith("t_kill_") and c not in live.values()]
    assert orphans, "the killed publish had created a generation"
    assert [r.video_id for r in Recommender.open(bundle).similar(vid, 5)] == expected

    publish_bundle(bundle, target, log=lambda m: None)  # the next publish cleans up and switches
    switched = {a: client.describe_alias(a)["collection_name"] for a in live}
    assert all(switched[a] != live[a] for a in live)
    remaining = [c for c in client.list_collections() if c.startswith("t_kill_")]
    assert sorted(remaining) == sorted(switched.values())
    assert [r.video_id for r in Recommender.open(bundle).similar(vid, 5)] == expected
