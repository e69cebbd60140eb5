"""Publish a changed bundle (``ytrec add`` / ``remove`` / ``retrain``) as one atomic step.

The bundle is staged with ``rewrite.staged_copy`` (unchanged files hard-linked, so thumbnails and
untouched stores cost nothing), the new catalog, stores and files are written into the stage
under names that were *not* linked, and ``atomic.staged_bundle`` publishes it by rename. A failure
or a kill at any point before the rename leaves the previous bundle exactly as it was; a kill
between the two renames is repaired by ``recover`` on the next load or write.

Two updates of one bundle at a time would each publish its own copy and lose the other's change,
so updates take an exclusive lock (``.NAME.lock`` beside the bundle, ``fcntl.flock``: released by
the kernel if the process dies).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ytrec.artifact.bundle import CATALOG_FILE, ENCODER_FILES, TITLE_MODEL_DIR
from ytrec.artifact.manifest import MANIFEST, write_manifest
from ytrec.artifact.rewrite import staged_copy
from ytrec.catalog.catalog import Catalog
from ytrec.index.base import ModalityStore

MAX_HISTORY = 100
_MANIFEST_OWN_KEYS = ("schema_version", "ytrec_version", "created", "files")


def lock_path(root: Path) -> Path:
    """The lock file of the bundle at ``root``: beside it, so it survives the bundle's replacement."""
    root = Path(root).resolve()
    return root.parent / f".{root.name}.lock"


@contextmanager
def bundle_lock(root: Path, shared: bool = False) -> Iterator[None]:
    """Exclusive lock on updates of the bundle at ``root`` (waits for a running update).

    ``shared``: a reader's lock (a server worker reopening the bundle): many at once, none while an
    update holds the exclusive one, so a reader never opens the bundle in the middle of a publish."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def files_of(manifest: dict, modalities: set[str]) -> set[str]:
    """The manifest-listed files written by the named stores.

    A store writes ``<name>.*`` / ``<name>_*``; a file belongs to the *longest* modality name that
    prefixes it that way (``thumbnail_copy_copy_codes.npy`` is thumbnail_copy's, not
    thumbnail's); the thumbnail encoder's files and an adapted title model (``title_model/``,
    which ``title_`` would otherwise claim) belong to no store.
    """
    names = sorted(set(manifest.get("modalities", {})) | set(modalities), key=len, reverse=True)
    owned = set()
    for f in manifest.get("files", {}):
        if f in ENCODER_FILES or f.startswith(f"{TITLE_MODEL_DIR}/"):
            continue
        owner = next((m for m in names if f.startswith(f"{m}.") or f.startswith(f"{m}_")), None)
        if owner in modalities:
            owned.add(f)
    return owned


def publish_update(
    root: Path,
    manifest: dict,
    record: dict,
    stores: dict[str, ModalityStore],
    catalog: Catalog | None = None,
    drop: set[str] = frozenset(),
    write_extra: Callable[[Path], list[str]] | None = None,
    changes: dict | None = None,
) -> dict:
    """Write the changed parts of the bundle at ``root`` into a stage and publish it; returns the manifest.

    ``stores``: the stores that changed (all of them for add/remove, the thumbnail store for
    retrain); their old files are not carried over. ``catalog``: the new catalog, if it changed.
    ``drop``: other relative paths not to carry over (thumbnails of removed videos, the old
    encoder). ``write_extra(stage)`` writes further new files (e.g. new thumbnails, a new encoder)
    and returns the names the manifest should list. ``changes``: manifest keys to set.
    ``record`` is appended to ``manifest["updates"]``. The caller holds ``bundle_lock``.
    """
    root = Path(root).resolve()
    replaced = files_of(manifest, set(stores)) | set(drop) | {MANIFEST}
    if catalog is not None:
        replaced.add(CATALOG_FILE)
    with staged_copy(root, skip=replaced) as stage:
        files = [name for name in manifest.get("files", {}) if name not in replaced]
        if write_extra is not None:
            files += [name for name in write_extra(stage) if name not in files]
        if catalog is not None:
            catalog.save(stage / CATALOG_FILE)
            files.append(CATALOG_FILE)
        for store in stores.values():
            files += store.save(stage)
        content = {key: value for key, value in manifest.items() if key not in _MANIFEST_OWN_KEYS}
        content.update(changes or {})
        content["modalities"] = {
            **manifest.get("modalities", {}),
            **{name: store.describe() for name, store in stores.items()},
        }
        if catalog is not None:
            content["counts"] = {**content.get("counts", {}), "videos": len(catalog)}
        content["first_created"] = manifest.get("first_created", manifest.get("created"))
        stamped = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
        content["updates"] = (list(manifest.get("updates", [])) + [stamped])[-MAX_HISTORY:]
        return write_manifest(stage, content, sorted(set(files)))
