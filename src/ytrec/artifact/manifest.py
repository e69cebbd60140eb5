"""manifest.json: what a bundle holds and how it was made, so loading restores exactly that.

Every file is listed with its size and SHA-256; loading checks sizes always and checksums of
files up to ``CHECKSUM_ON_LOAD_BYTES`` (all of them with ``verify=True``), so a truncated copy
or a file from another build is refused with a message naming the file.

A server reopens its bundle after every write, and a write hard-links the files it does not change
into the new bundle: the very same inodes. ``read_manifest(..., checked=previous)`` skips hashing a
file whose identity (device, inode, size, modification time) and listed checksum equal one verified
before, so a reload hashes only what the write replaced (re-hashing everything was ~75% of a reload).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from collections.abc import Mapping
from pathlib import Path

from ytrec import __version__
from ytrec.errors import ArtifactError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
CHECKSUM_ON_LOAD_BYTES = 64 * 2**20

# (st_dev, st_ino, st_size, st_mtime_ns): a file replaced or rewritten in place gets another one
FileIdentity = tuple[int, int, int, int]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(root: Path, names: list[str]) -> dict[str, dict[str, object]]:
    return {
        name: {"bytes": (root / name).stat().st_size, "sha256": sha256_file(root / name)}
        for name in names
    }


def write_manifest(root: Path, content: dict, files: list[str]) -> dict:
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "ytrec_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **content,
        "files": describe_files(root, files),
    }
    (root / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(
    root: Path,
    verify: bool = False,
    checked: Mapping[FileIdentity, str] | None = None,
    record: dict[FileIdentity, str] | None = None,
) -> dict:
    """The bundle's manifest, after checking its listed files (see the module docstring).

    ``checked``: identity -> SHA-256 of files verified earlier; a file with an identity and
    checksum found there is not hashed again. ``record``: receives the identity -> SHA-256 of
    every file this call hashed or trusted, for the next call's ``checked``."""
    if not root.is_dir():
        raise ArtifactError(f"no bundle at {root} (build one with `ytrec build CATALOG --out {root}`)")
    path = root / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"{root} is not a ytrec bundle: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{path} is not a ytrec manifest (not a JSON object); the bundle is damaged")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ArtifactError(
            f"bundle schema version {version} is not supported by ytrec {__version__} "
            f"(expects {SCHEMA_VERSION}); rebuild the bundle"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not isinstance(manifest.get("modalities"), dict):
        raise ArtifactError(f"{path} lacks its file or modality list; the bundle is damaged")
    for name, meta in files.items():
        file = _listed_file(root, name, meta)
        if not file.is_file():
            raise ArtifactError(f"bundle {root} is incomplete: {name} is missing")
        st = file.stat()
        if st.st_size != meta["bytes"]:
            raise ArtifactError(f"bundle file {name} has the wrong size (truncated or replaced)")
        if not (verify or meta["bytes"] <= CHECKSUM_ON_LOAD_BYTES):
            continue
        identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        trusted = not verify and checked is not None and checked.get(identity) == meta["sha256"]
        if not trusted and sha256_file(file) != meta["sha256"]:
            raise ArtifactError(f"bundle file {name} fails its checksum (corrupt or replaced)")
        if record is not None:
            record[identity] = meta["sha256"]
    return manifest


def _listed_file(root: Path, name: str, meta: object) -> Path:
    """The file a manifest entry names, refusing entries that are damaged or point outside the bundle."""
    if not (isinstance(meta, dict) and isinstance(meta.get("bytes"), int) and isinstance(meta.get("sha256"), str)):
        raise ArtifactError(f"{MANIFEST} entry for {name} is damaged (no size or checksum)")
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not name:
        raise ArtifactError(f"{MANIFEST} lists {name!r}, a path outside the bundle; the bundle is damaged")
    return root / relative
