import json
from pathlib import Path

import pytest

from ytrec.artifact.manifest import MANIFEST, read_manifest, write_manifest
from ytrec.errors import ArtifactError


def _bundle(tmp_path: Path) -> Path:
    (tmp_path / "a.bin").write_bytes(b"x" * 100)
    write_manifest(tmp_path, {"modalities": {}}, ["a.bin"])
    return tmp_path


def test_round_trip_records_sizes_and_checksums(tmp_path: Path):
    manifest = read_manifest(_bundle(tmp_path), verify=True)
    assert manifest["files"]["a.bin"]["bytes"] == 100
    assert len(manifest["files"]["a.bin"]["sha256"]) == 64


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda d: (d / "a.bin").unlink(), "a.bin is missing"),
        (lambda d: (d / "a.bin").write_bytes(b"x" * 99), "wrong size"),
        (lambda d: (d / "a.bin").write_bytes(b"y" * 100), "checksum"),
        (lambda d: (d / MANIFEST).write_text("{not json"), "not valid JSON"),
        (lambda d: (d / MANIFEST).unlink(), "not a ytrec bundle"),
    ],
)
def test_damage_is_refused_with_a_clear_message(tmp_path: Path, damage, message):
    bundle = _bundle(tmp_path)
    damage(bundle)
    with pytest.raises(ArtifactError, match=message):
        read_manifest(bundle)


def test_other_schema_version_is_refused(tmp_path: Path):
    bundle = _bundle(tmp_path)
    data = json.loads((bundle / MANIFEST).read_text())
    data["schema_version"] = 999
    (bundle / MANIFEST).write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match="schema version 999"):
        read_manifest(bundle)


def test_missing_bundle(tmp_path: Path):
    with pytest.raises(ArtifactError, match="no bundle at"):
        read_manifest(tmp_path / "nothing")


def test_files_verified_before_are_not_hashed_again(tmp_path: Path, monkeypatch):
    """A server's reload passes what the previous load verified: an unchanged (hard-linked) file is
    trusted, a replaced one, or one rewritten in place, is hashed and refused when damaged."""
    import os

    import ytrec.artifact.manifest as manifest_module

    bundle = _bundle(tmp_path)
    verified: dict = {}
    read_manifest(bundle, record=verified)
    hashed: list[str] = []
    real_sha256 = manifest_module.sha256_file
    monkeypatch.setattr(manifest_module, "sha256_file", lambda path: hashed.append(path.name) or real_sha256(path))

    read_manifest(bundle, checked=verified)
    assert hashed == []
    read_manifest(bundle, checked=verified, verify=True)  # --verify trusts nothing
    assert hashed == ["a.bin"]

    hashed.clear()
    linked = tmp_path / "linked"
    linked.mkdir()
    os.link(bundle / "a.bin", linked / "a.bin")  # what staged_copy does with an unchanged file
    (linked / MANIFEST).write_bytes((bundle / MANIFEST).read_bytes())
    read_manifest(linked, checked=verified)
    assert hashed == []

    replaced = tmp_path / "a.bin.new"
    replaced.write_bytes(b"y" * 100)  # same size, another inode
    os.replace(replaced, bundle / "a.bin")
    with pytest.raises(ArtifactError, match="checksum"):
        read_manifest(bundle, checked=verified)

    (linked / "a.bin").write_bytes(b"z" * 100)  # in place: same inode, new modification time
    stat = (linked / "a.bin").stat()
    os.utime(linked / "a.bin", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(ArtifactError, match="checksum"):
        read_manifest(linked, checked=verified)
