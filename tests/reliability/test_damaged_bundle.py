"""A bundle with a flipped byte, a truncated file or a deleted file is refused, naming the file.

Every file of the sample bundle is damaged in turn: ``ytrec info --verify`` and loading (what
``ytrec serve`` does first) fail with one line that names it, and ``ytrec serve`` exits with that
line instead of starting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ytrec.artifact.bundle import Bundle
from ytrec.artifact.manifest import MANIFEST, read_manifest
from ytrec.cli import main as ytrec
from ytrec.errors import ArtifactError

THUMBNAIL = "thumbs/0000003.jpg"


def flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def delete(path: Path) -> None:
    path.unlink()


DAMAGES = {"flipped byte": flip, "truncated": truncate, "deleted": delete}


def _damaged(source: Path, target: Path, name: str, damage) -> Path:
    shutil.copytree(source, target)
    damage(target / name)
    return target


def _cases(bundle: Path) -> list[tuple[str, str]]:
    listed = sorted(read_manifest(bundle)["files"])
    cases = [(name, how) for name in listed for how in DAMAGES]
    # the manifest itself has no checksum of its own: a flipped byte in e.g. its date goes unseen
    cases += [(MANIFEST, "truncated"), (MANIFEST, "deleted")]
    # thumbnails are decoded, not checksummed, by --verify: a flipped byte in JPEG data can still decode
    cases += [(THUMBNAIL, "truncated"), (THUMBNAIL, "deleted")]
    return cases


def test_every_damaged_file_is_named_by_verify_and_by_loading(sample_bundle, tmp_path: Path, capsys):
    cases = _cases(sample_bundle.bundle)
    assert len(cases) >= 20  # catalog, report, encoder, every store's files, manifest, thumbnails
    for number, (name, how) in enumerate(cases):
        bundle = _damaged(sample_bundle.bundle, tmp_path / str(number), name, DAMAGES[how])
        with pytest.raises(ArtifactError) as verified:
            Bundle.load(bundle, verify=True)
        assert name in str(verified.value), (name, how, str(verified.value))
        if not name.startswith("thumbs/"):  # loading skips the per-thumbnail decoding of --verify
            with pytest.raises(ArtifactError) as loaded:
                Bundle.load(bundle)
            assert name in str(loaded.value), (name, how, str(loaded.value))
        assert ytrec(["info", "--verify", str(bundle)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and name in err and "Traceback" not in err, (name, how, err)
        shutil.rmtree(bundle)


def test_an_intact_copy_verifies(sample_bundle, tmp_path: Path, capsys):
    shutil.copytree(sample_bundle.bundle, tmp_path / "copy")
    assert ytrec(["info", "--verify", str(tmp_path / "copy")]) == 0
    assert "all file checksums verified" in capsys.readouterr().out


def test_serve_refuses_to_start_on_a_damaged_bundle_with_that_line(sample_bundle, tmp_path: Path):
    name = next(n for n in sorted(read_manifest(sample_bundle.bundle)["files"]) if n.startswith("title"))
    bundle = _damaged(sample_bundle.bundle, tmp_path / "bundle", name, flip)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(Path("src").resolve()), os.environ.get("PYTHONPATH", "")] if p)}
    done = subprocess.run([sys.executable, "-m", "ytrec.cli", "serve", str(bundle), "--port", "0"],
                          capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("ytrec: error: ") and done.stderr.count("\n") == 1, done.stderr[-2000:]
    assert name in done.stderr and "fails its checksum" in done.stderr
    assert "serving" not in done.stdout
