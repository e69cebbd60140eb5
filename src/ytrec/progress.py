"""Progress bars that stay quiet when nobody is watching (no TTY) or when asked to."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")

_QUIET = False


def set_quiet(quiet: bool) -> None:
    """Silence every progress bar in this process (the CLI's --quiet)."""
    global _QUIET
    _QUIET = quiet


def progress_enabled() -> bool:
    return not _QUIET and sys.stderr.isatty()


def progress(iterable: Iterable[T], desc: str, total: int | None = None) -> Iterable[T]:
    return tqdm(iterable, desc=desc, total=total, disable=not progress_enabled(), leave=False)
