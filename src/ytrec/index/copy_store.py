"""The copy-code store: 64-byte thumbnail codes (``index.copy_codes``) behind multi-index hash
tables (``index.copy_tables``).

Search never scans the catalog: the searched hypotheses of a query (crops, mirror) look up the
rows that share a 16-bit chunk with them, and those candidates are rescored exactly with the
strip-trimmed similarity that every other method returns. Rows that share no chunk with any
hypothesis are not copies (similarity well below any duplicate threshold) and are not returned,
so a search may give fewer than k rows (padded with -1). Duplicate collapse compares only the
candidates' codes (``pairwise_rows``): a few dozen 64-bit XOR-popcounts per pair of rows.

Files, all memory-mapped on load: ``<name>_copy_codes.npy`` (n x 64 bytes), ``<name>_copy_rows.npy``
(32 tables x n int32) and ``<name>_copy_offsets.npy`` (32 x 65,537 int64, 16.8 MB at any n).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams
from ytrec.index.copy_codes import (
    CODE_BITS,
    CODE_BYTES,
    best_similarity,
    copy_codes,
    cross_similarity,
    pairwise_similarity,
    query_codes,
    searched_hypotheses,
    with_mirror,
)
from ytrec.index.copy_tables import TABLES, VALUES, build_tables, candidates
from ytrec.index.registry import register

RESCORE_ALL = 256  # up to this many candidates are all rescored; beyond, those found twice or more
FILES = ("codes", "rows", "offsets")


def estimate_bytes(n: int) -> int:
    """Memory of a store of ``n`` codes (``--index auto``): the codes, one int32 row number per
    table and row, and the tables' offsets."""
    return int(n) * (CODE_BYTES + 4 * TABLES) + 8 * TABLES * (VALUES + 1)


def _as_codes(codes: np.ndarray, name: str) -> np.ndarray:
    if codes.ndim != 2 or codes.shape[1] != CODE_BYTES or codes.dtype != np.uint8:
        raise ArtifactError(f"{name}: copy codes have shape {codes.shape} {codes.dtype}, expected (N, {CODE_BYTES}) uint8")
    return codes


def _queries(queries) -> list[np.ndarray]:
    """One query (an (H, 64) array of hypothesis codes) or a sequence of them, as a list."""
    if isinstance(queries, np.ndarray) and queries.ndim == 2:
        queries = [queries]
    batch = [np.asarray(q, dtype=np.uint8) for q in queries]
    for q in batch:
        if q.ndim != 2 or q.shape[1] != CODE_BYTES:
            raise ArtifactError(f"a copy-code query has shape {q.shape}, expected (hypotheses, {CODE_BYTES})")
    return batch


def _offsets_valid(offsets: np.ndarray, n: int) -> bool:
    """Each table's offsets run from 0 to n without going back (a damaged file would otherwise
    surface as an index error in some later search)."""
    return bool((offsets[:, 0] == 0).all() and (offsets[:, -1] == n).all() and (np.diff(offsets, axis=1) >= 0).all())


def _shortlist(rows: np.ndarray, votes: np.ndarray, depth: int) -> np.ndarray:
    """The candidates worth rescoring: all of few; else those found at least twice (a copy is
    found by several chunks, a stranger by one), topped up to ``depth`` by the first others."""
    if len(rows) <= max(RESCORE_ALL, depth):
        return rows
    repeated = votes >= 2
    extra = max(0, depth - int(repeated.sum()))
    return np.concatenate([rows[repeated], rows[~repeated][:extra]])


@register
class CopyCodeStore(ModalityStore):
    kind = "copy_code"

    def __init__(self, name: str, codes: np.ndarray, tables: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        super().__init__(name)
        self.codes = _as_codes(codes, name)
        # the same bytes as a plain array: indexing a np.memmap costs a subclass object per read
        self._codes = np.asarray(self.codes)
        if tables is not None:
            rows, offsets = tables = np.asarray(tables[0]), np.asarray(tables[1])
            if (
                rows.shape != (TABLES, len(self.codes))
                or offsets.shape != (TABLES, VALUES + 1)
                or not _offsets_valid(np.asarray(offsets), len(self.codes))
            ):
                raise ArtifactError(f"{name}: copy-code tables do not match {len(self.codes)} codes; rebuild the bundle")
        self._tables = tables

    @property
    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, offsets) of the hash tables, built on first use: a store made only to score or
        compare a few codes (Milvus's fetched rows, duplicate checks) never pays for them."""
        if self._tables is None:
            self._tables = build_tables(self._codes)
        return self._tables

    @classmethod
    def build(cls, name: str, images: list[Image.Image]) -> "CopyCodeStore":
        return cls(name, copy_codes(images))

    @classmethod
    def from_codes(cls, name: str, codes: np.ndarray) -> "CopyCodeStore":
        """A store of codes made elsewhere (``copy_codes`` in chunks, or synthetic ones)."""
        return cls(name, np.ascontiguousarray(codes, dtype=np.uint8))

    def encode(self, images: list[Image.Image]) -> list[np.ndarray]:
        """One query per normalized image: its (hypotheses, 64) codes (crops, mirror)."""
        return [query_codes(img) for img in images]

    @property
    def dimension(self) -> int:
        return CODE_BITS

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def search(self, queries, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (similarities, rows) per query among the rows its hypotheses find in the tables,
        rescored exactly; -1 where fewer are found. No knob of ``params`` applies."""
        batch = _queries(queries)
        k = max(0, min(int(k), len(self)))
        scores = np.full((len(batch), k), -np.inf, dtype=np.float32)
        rows = np.full((len(batch), k), -1, dtype=np.int64)
        for i, query in enumerate(batch):
            found, votes = candidates(*self.tables, searched_hypotheses(query))
            found = _shortlist(found, votes, k)
            similarity = best_similarity(query, self._codes[found])
            order = np.lexsort((found, -similarity))[:k]
            scores[i, : len(order)], rows[i, : len(order)] = similarity[order], found[order]
        return scores, rows

    def similarity(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        (query,) = _queries(query)
        return best_similarity(query, self._codes[np.asarray(rows, dtype=np.int64)])

    def row_query(self, row: int) -> np.ndarray:
        """A catalog row as a query: its code as it is and mirrored (finds flipped re-uploads)."""
        return with_mirror(self._codes[row : row + 1])

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        """(n, n) similarities among catalog rows, each also against the other mirrored, from the
        codes alone (symmetric; 1 on the diagonal)."""
        return pairwise_similarity(self._codes[np.asarray(rows, dtype=np.int64)])

    def rows_similarity(self, query_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Catalog rows as queries (plain and mirrored) against rows, from the codes alone."""
        codes = self._codes
        return cross_similarity(codes[np.asarray(query_rows, dtype=np.int64)], codes[np.asarray(rows, dtype=np.int64)])

    def pairwise_rows(self, rows: np.ndarray) -> np.ndarray:
        """The full matrix: n² XOR-popcounts of 64 bytes cost less than computing rows on demand."""
        return self.pairwise(rows)

    def with_rows_added(self, rows: NewRows) -> "CopyCodeStore":
        """New rows from ``rows.vectors[name]``: ``copy_codes`` of the new thumbnails (the tables
        are rebuilt: a counting sort per table, about a second per million rows)."""
        added = _as_codes(np.ascontiguousarray(rows.vectors_for(self.name), dtype=np.uint8), self.name)
        return CopyCodeStore(self.name, np.concatenate([self._codes, added]))

    def with_rows_removed(self, rows: np.ndarray) -> "CopyCodeStore":
        keep = np.ones(len(self), dtype=bool)
        keep[np.asarray(rows, dtype=np.int64)] = False
        return CopyCodeStore(self.name, np.ascontiguousarray(self._codes[keep]))

    def describe(self) -> dict:
        return {
            "index": self.kind,
            "dimension": CODE_BITS,
            "metric": "copy_strips",  # strip-trimmed Hamming similarity, see index.copy_codes
            "code_bytes": CODE_BYTES,
            "tables": TABLES,
        }

    def save(self, directory: Path) -> list[str]:
        rows, offsets = self.tables
        arrays = {"codes": self.codes, "rows": rows, "offsets": offsets}
        names = []
        for part in FILES:
            names.append(f"{self.name}_copy_{part}.npy")
            np.save(directory / names[-1], np.asarray(arrays[part]))
        return names

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict, mmap: bool = True) -> "CopyCodeStore":
        paths = [directory / f"{name}_copy_{part}.npy" for part in FILES]
        for path in paths:
            if not path.is_file():
                raise ArtifactError(f"bundle is missing {path.name}")
        try:
            codes, rows, offsets = (np.load(path, mmap_mode="r" if mmap else None) for path in paths)
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read {name} copy codes: {exc}") from None
        return cls(name, codes, (rows, offsets))
