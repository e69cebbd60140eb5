"""The interface every per-modality store implements, so fusion treats all signals alike.

Dense stores hold L2-normalized float32 vectors (inner product = cosine); other stores (e.g. a
lexical one) only need to give cosine-like similarities in [-1, 1] through the same methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ytrec.errors import ArtifactError, QueryError


@dataclass(frozen=True)
class SearchParams:
    """Per-query search knobs; ``None`` keeps the value the store was built with.

    ``ef_search``: HNSW beam width (more = higher recall, slower). ``nprobe``: IVF lists scanned.
    ``rerank``: how many candidates an IVF-PQ store rescores exactly from its stored vectors
    (0 = none). Stores ignore knobs that do not apply to them (a flat store ignores all three).
    """

    ef_search: int | None = None
    nprobe: int | None = None
    rerank: int | None = None

    def __post_init__(self) -> None:
        for name in ("ef_search", "nprobe", "rerank"):
            value = getattr(self, name)
            if value is None:
                continue
            low = 0 if name == "rerank" else 1
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 100_000:
                raise QueryError(f"{name} must be an integer between {low} and 100000, got {value!r}")

    def to_dict(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Where:
    """A filter a store applies inside its search (push-down), for stores that hold the columns.

    Rows whose channel is one of ``channels`` (when given), whose category is one of
    ``categories`` (when given), and whose channel is none of ``excluded_channels``. Stores that
    offer ``search_filtered(queries, k, where, params)`` return only such rows; the others are
    searched unfiltered and the caller filters (``core.filters``).
    """

    channels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    excluded_channels: tuple[str, ...] = ()


@dataclass
class NewRows:
    """Rows appended to a catalog, in catalog order, as every store kind may need them.

    ``records``: the new catalog records (video_id, title, ...), for stores that index text;
    ``vectors``: the new L2-normalized vectors per modality name, for dense stores.
    """

    records: list[dict[str, Any]]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def vectors_for(self, name: str) -> np.ndarray:
        if name not in self.vectors:
            raise ArtifactError(f"no new {name} vectors were given for the {name} store")
        vectors = self.vectors[name]
        if len(vectors) != len(self.records):
            raise ArtifactError(f"{len(vectors)} new {name} vectors for {len(self.records)} new rows")
        return vectors


class ModalityStore(ABC):
    kind: str  # recorded as manifest["modalities"][name]["index"]; selects the loader
    # True where scoring a catalog row recomputes its vector (a lexical store without stored term
    # vectors): per-row work such as pool query expansion then costs ~1 ms a row at 1M titles
    recomputes_rows: bool = False

    def __init__(self, name: str) -> None:
        self.name = name

    @abstractmethod
    def __len__(self) -> int: ...

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    @abstractmethod
    def search(self, queries: Any, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) for a batch of queries; rows are -1 where fewer than k exist.

        ``params`` are optional per-query knobs (see SearchParams); stores ignore those that do
        not apply to them. Callers pass it only when set, so a store may also omit the keyword.
        """

    @abstractmethod
    def similarity(self, query: Any, rows: np.ndarray) -> np.ndarray:
        """Exact similarity of one query to the given rows, as float32."""

    @abstractmethod
    def row_query(self, row: int) -> Any:
        """The query that stands for catalog row ``row`` (for "more like this video")."""

    @abstractmethod
    def save(self, directory: Path) -> list[str]:
        """Write the store's files into ``directory``; return their names (for the manifest)."""

    @classmethod
    @abstractmethod
    def load(cls, name: str, directory: Path, meta: dict) -> "ModalityStore":
        """Read a store written by ``save``; ``meta`` is its manifest entry."""

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        """(n, n) similarities among catalog rows (MMR, duplicate collapse); row by row here,
        one product in stores that can do better."""
        if not len(rows):
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.similarity(self.row_query(int(r)), rows) for r in rows])

    def rows_similarity(self, query_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(query_rows), len(rows)) similarities of catalog rows, each as its ``row_query``, to
        other rows (pool query expansion); a ``similarity`` call per query row here, one product in
        stores that can do better."""
        if not len(query_rows):
            return np.zeros((0, len(rows)), dtype=np.float32)
        return np.stack([self.similarity(self.row_query(int(r)), rows) for r in query_rows])

    def pairwise_rows(self, rows: np.ndarray):
        """``pairwise(rows)`` for a reader that needs only some rows (duplicate collapse reads the
        kept candidates'); stores whose full matrix is costly return rows computed on demand."""
        return self.pairwise(rows)

    def describe(self) -> dict:
        """The manifest entry: kind, dimension and whatever ``load`` needs back."""
        return {"index": self.kind, "dimension": self.dimension, "metric": "cosine"}

    # -- incremental updates (``ytrec add`` / ``ytrec remove``) -------------------------------
    # Both return a *new* store and leave ``self`` untouched (it may be memory-mapped from the
    # published bundle that a server is still reading); the update saves the new one into a
    # staging folder. Row order stays catalog order: added rows go to the end, and the rows
    # after a removed one move up.

    def with_rows_added(self, rows: NewRows) -> "ModalityStore":
        """A store holding this store's rows followed by ``rows``."""
        raise ArtifactError(f"the {self.name} store ({self.kind}) cannot add rows; rebuild the bundle")

    def with_rows_removed(self, rows: np.ndarray) -> "ModalityStore":
        """A store without the given catalog rows (sorted, unique), the others renumbered."""
        raise ArtifactError(f"the {self.name} store ({self.kind}) cannot remove rows; rebuild the bundle")
