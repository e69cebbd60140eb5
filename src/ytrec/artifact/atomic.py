"""Write a bundle so that a failed or killed build never damages the previous one.

The new bundle is assembled in a hidden staging folder beside the destination and published by
two renames (old → ``.NAME.previous``, staging → NAME). A crash between the renames leaves the
old bundle under ``.NAME.previous``; ``recover`` (called before every load and write) puts it
back. Staging folders of dead processes are removed on the next write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _backup(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.previous"


def recover(dest: Path) -> None:
    """Finish an interrupted publish: bring the previous bundle back if the new one never landed."""
    backup = _backup(dest)
    if backup.exists():
        if dest.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.rename(backup, dest)


def _remove_dead_staging(dest: Path) -> None:
    for stale in dest.parent.glob(f".{dest.name}.staging-*"):
        pid_text = stale.name.rsplit("-", 2)[-2] if stale.name.count("-") >= 2 else ""
        if pid_text.isdigit() and not _alive(int(pid_text)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


@contextmanager
def staged_bundle(dest: Path) -> Iterator[Path]:
    """Yield an empty staging folder; publish it as ``dest`` only if the block succeeds."""
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover(dest)
    _remove_dead_staging(dest)
    stage = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-{os.getpid()}-", dir=dest.parent))
    try:
        yield stage
        _fsync_tree(stage)
        publish(stage, dest)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def publish(stage: Path, dest: Path) -> None:
    backup = _backup(dest)
    if backup.exists():
        shutil.rmtree(backup)
    if dest.exists():
        os.rename(dest, backup)
    os.rename(stage, dest)
    shutil.rmtree(backup, ignore_errors=True)
