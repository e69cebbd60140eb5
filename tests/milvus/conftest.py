"""One real Milvus 2.3.5 standalone server per test session (pip package ``milvus``).

The session starts it in a fresh temporary directory and stops it at the end (SIGTERM, then
SIGKILL). Only one can run per machine (its embedded etcd's port 2380 is fixed), so a developer
who keeps one running (``bash scripts/milvus.sh start DIR``) sets ``YTREC_MILVUS_DIR=DIR`` and the
tests use that one instead. No skips: without the package the session fails, loudly.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.fixtures.bundles import SampleBundle
from ytrec.milvus import server
from ytrec.milvus.connection import MilvusTarget, forget_clients

DIR_ENV = "YTREC_MILVUS_DIR"


@dataclass
class MilvusUnderTest:
    """The session's server; failure tests stop and restart it on the same port."""

    base_dir: Path
    uri: str
    detached: bool  # started by the developer (keep it running at the end)

    def stop(self) -> None:
        server.stop(self.base_dir)

    def start(self) -> None:
        started = server.start(self.base_dir, detach=self.detached, port=urlparse(self.uri).port)
        assert started.uri == self.uri

    def target(self, prefix: str) -> MilvusTarget:
        return MilvusTarget(self.uri, prefix=prefix)


@pytest.fixture(scope="session")
def milvus(tmp_path_factory: pytest.TempPathFactory):
    given = os.environ.get(DIR_ENV)
    if given:
        uri = server.running_uri(Path(given))
        assert uri, f"{DIR_ENV}={given} but no Milvus runs from there (bash scripts/milvus.sh start {given})"
        yield MilvusUnderTest(Path(given).resolve(), uri, detached=True)
        server.running_uri(Path(given)) or server.start(Path(given), detach=True)  # leave it as found
        return
    base_dir = tmp_path_factory.mktemp("milvus-server")
    started = server.start(base_dir)
    under_test = MilvusUnderTest(base_dir, started.uri, detached=False)
    try:
        yield under_test
    finally:
        forget_clients()
        server.stop(base_dir)
        shutil.rmtree(base_dir / "bin", ignore_errors=True)  # 246 MB of unpacked binaries


@pytest.fixture(scope="session")
def milvus_bundle(milvus: MilvusUnderTest, sample_bundle: SampleBundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's sample bundle published to Milvus (prefix ``t_sample``); read-only for tests."""
    from ytrec.milvus.publish import publish_bundle

    out = tmp_path_factory.mktemp("milvus-bundle") / "bundle"
    shutil.copytree(sample_bundle.bundle, out)
    publish_bundle(out, milvus.target("t_sample"), log=lambda message: None)
    return out
