"""Browsing the catalog: filter by title text and channel, optionally shuffle, paginate.

Kept out of the API and the web page so both list videos the same way. Filtering is a scan of
precomputed case-folded titles: instant for catalogs of tens of thousands of videos.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from ytrec.catalog.catalog import Catalog
from ytrec.errors import QueryError

MAX_PER_PAGE = 100
MAX_FILTER_CHARS = 200


@dataclass(frozen=True)
class Page:
    rows: list[int]  # catalog rows on this page, in display order
    total: int  # videos that match the filter, on all pages
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class CatalogBrowser:
    """Filters and pages one catalog; built once per process, shared by all requests."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._folded = [title.casefold() for title in catalog.titles]
        self._channels = catalog.column("channel")
        counts = Counter(c for c in self._channels if c)
        self.channels: list[tuple[str, int]] = sorted(counts.items(), key=lambda item: item[0].casefold())

    def browse(
        self,
        q: str | None = None,
        channel: str | None = None,
        page: int = 1,
        per_page: int = 24,
        seed: int | None = None,
    ) -> Page:
        """One page of the videos whose title contains ``q`` (case-insensitive) and whose channel is
        ``channel``; ``seed`` gives a reproducible shuffled order, so a home page can show a varied
        sample that still paginates."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        if page < 1:
            raise QueryError(f"page must be 1 or more, got {page}")
        needle = (q or "").strip().casefold()
        if len(needle) > MAX_FILTER_CHARS:
            raise QueryError(f"the filter text is {len(needle)} characters; the limit is {MAX_FILTER_CHARS}")
        channel = (channel or "").strip() or None
        if channel is not None and channel not in dict(self.channels):
            raise QueryError(f"unknown channel '{channel}'")
        rows = [
            row
            for row, title in enumerate(self._folded)
            if needle in title and (channel is None or self._channels[row] == channel)
        ]
        if seed is not None:
            random.Random(seed).shuffle(rows)
        start = (page - 1) * per_page
        return Page(rows=rows[start : start + per_page], total=len(rows), page=page, per_page=per_page)
