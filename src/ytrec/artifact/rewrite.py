"""Change a published bundle atomically: copy it into a staging folder, modify, publish.

Files are hard-linked into the stage (no bytes copied; a bundle of gigabytes rewrites in
milliseconds) and only *new* files may be written there: a linked file must never be modified
in place, since it is the very file the published bundle (and a running server) reads. Writers
that replace a file remove the link first (``replace_file``). Falls back to copying where the
filesystem cannot link.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ytrec.artifact.atomic import staged_bundle
from ytrec.artifact.manifest import MANIFEST, read_manifest


def copy_into_stage(source: Path, stage: Path, skip: set[str] = frozenset()) -> None:
    """Link every file of ``source`` (recursively, relative paths kept) into ``stage``."""
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir() or str(relative) in skip:
            continue
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def replace_file(path: Path) -> Path:
    """Unlink ``path`` (possibly shared with the published bundle) so it can be written anew."""
    path.unlink(missing_ok=True)
    return path


@contextmanager
def staged_copy(root: Path, skip: set[str] = frozenset()) -> Iterator[Path]:
    """A stage holding the bundle at ``root``; published over it when the block succeeds."""
    root = Path(root).resolve()
    with staged_bundle(root) as stage:
        copy_into_stage(root, stage, skip)
        yield stage


def rewrite_manifest(root: Path, update: Callable[[dict], dict]) -> dict:
    """Publish the bundle at ``root`` with ``update(manifest)`` as its manifest; returns it.

    Only for changes that touch no listed file (settings such as the fusion config): the file
    list with its checksums is carried over unchanged. The caller holds ``update.bundle_lock``, so
    the manifest read here is the one published.
    """
    manifest = update(read_manifest(Path(root).resolve()))
    with staged_copy(root, skip={MANIFEST}) as stage:
        (stage / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest
