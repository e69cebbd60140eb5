"""The common shape every catalog source is read into before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RawRow:
    """One source row, not yet validated.

    ``image`` is a path (table sources) or encoded bytes (dataset sources); ``problem`` is set
    when the row could not even be decoded (e.g. invalid UTF-8), so ingest can report it.
    """

    number: int
    fields: dict[str, object] = field(default_factory=dict)
    image: Path | bytes | None = None
    problem: str | None = None


@dataclass
class SourceRows:
    """Rows plus what ingest needs to know about where they came from."""

    description: str
    rows: list[RawRow]
    has_thumbnails: bool
