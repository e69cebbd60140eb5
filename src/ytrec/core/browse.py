"""Browsing the catalog: filter by title text and channel, optionally shuffle, paginate.

Kept out of the API and the web page so both list videos the same way. A page costs what it
shows, not what the catalog holds (a million videos browse as fast as a hundred): the unfiltered
list is the row range itself, a channel's rows are one slice of a channel-sorted order (built on
the first channel request), and a shuffled list is a keyed permutation computed for the page's
positions only. Only a title-text filter looks at every title, as one vectorised substring scan
over the case-folded titles (folded on the first text request); its matches are kept for the
next pages of the same filter.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ytrec.catalog.catalog import Catalog
from ytrec.errors import QueryError

MAX_PER_PAGE = 100
MAX_FILTER_CHARS = 200
KEPT_FILTERS = 16  # recent (text, channel) filters whose matching rows are kept for their next pages
_FEISTEL_ROUNDS = 4


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
        encoded = pc.dictionary_encode(catalog.table.column("channel").combine_chunks())
        self._channel_codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        names = encoded.dictionary.to_pylist()
        counts = np.bincount(self._channel_codes[self._channel_codes >= 0], minlength=len(names))
        self._codes = len(names)
        self._code_of = {name: code for code, name in enumerate(names) if name}
        self.channels: list[tuple[str, int]] = sorted(
            ((name, int(counts[code])) for name, code in self._code_of.items()), key=lambda item: item[0].casefold()
        )
        self._matches: OrderedDict[tuple[str, int | None], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

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
        if channel is not None and channel not in self._code_of:
            raise QueryError(f"unknown channel '{channel}'")
        code = self._code_of[channel] if channel is not None else None
        matching = self._matching(needle, code)  # None: every row
        total = len(self.catalog) if matching is None else len(matching)
        start = (page - 1) * per_page
        positions = np.arange(min(start, total), min(start + per_page, total), dtype=np.int64)
        if seed is not None:
            positions = permuted(positions, total, seed)
        rows = positions if matching is None else matching[positions]
        return Page(rows=rows.tolist(), total=total, page=page, per_page=per_page)

    def _matching(self, needle: str, code: int | None) -> np.ndarray | None:
        """The ascending rows that pass the filter; None when nothing filters."""
        if not needle:
            return None if code is None else self._channel_rows(code)
        key = (needle, code)
        with self._lock:
            if key in self._matches:
                self._matches.move_to_end(key)
                return self._matches[key]
        hits = pc.match_substring(self._folded_titles, needle).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(hits)
        if code is not None:
            rows = rows[self._channel_codes[rows] == code]
        with self._lock:
            self._matches[key] = rows
            while len(self._matches) > KEPT_FILTERS:
                self._matches.popitem(last=False)
        return rows

    def _channel_rows(self, code: int) -> np.ndarray:
        start, end = self._channel_bounds[code], self._channel_bounds[code + 1]
        return self._by_channel[start:end]

    @cached_property
    def _by_channel(self) -> np.ndarray:
        """Every row, grouped by channel code, ascending within a channel."""
        return np.argsort(self._channel_codes, kind="stable")

    @cached_property
    def _channel_bounds(self) -> np.ndarray:
        """Where each channel code's rows start in ``_by_channel`` (one past the last code: the end)."""
        ordered = self._channel_codes[self._by_channel]
        return np.searchsorted(ordered, np.arange(self._codes + 1))

    @cached_property
    def _folded_titles(self) -> pa.Array:
        """The titles case-folded as Python folds them (``str.casefold``), so a byte substring of
        their UTF-8 is exactly a case-insensitive substring match."""
        return pa.array([title.casefold() for title in self.catalog.titles], type=pa.string())


def permuted(positions: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Where each of ``positions`` goes in a pseudo-random permutation of ``range(n)`` keyed by
    ``seed``: the same seed always gives the same order, and pages of it never repeat a video.

    A small Feistel network over the next even power of two at or above ``n``, with cycle walking
    (a value outside ``range(n)`` is permuted again until it lands inside): cost proportional to
    the page, not to ``n``."""
    if n <= 1 or len(positions) == 0:
        return positions
    bits = max(2, (n - 1).bit_length())
    half = (bits + 1) // 2
    digest = hashlib.blake2b(str(seed).encode(), digest_size=8 * _FEISTEL_ROUNDS).digest()
    keys = [np.uint64(int.from_bytes(digest[8 * i : 8 * i + 8], "little")) for i in range(_FEISTEL_ROUNDS)]
    values = positions.astype(np.uint64)
    outside = np.ones(len(values), dtype=bool)
    while outside.any():
        values[outside] = _feistel(values[outside], keys, half)
        outside = values >= n
    return values.astype(np.int64)


def _feistel(values: np.ndarray, keys: list[np.uint64], half: int) -> np.ndarray:
    mask = np.uint64((1 << half) - 1)
    shift = np.uint64(half)
    left, right = values >> shift, values & mask
    for key in keys:
        left, right = right, left ^ (_mix(right ^ key) & mask)
    return (left << shift) | right


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit changes about half the output bits."""
    z = z * np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(31)
    z = z * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(29))
