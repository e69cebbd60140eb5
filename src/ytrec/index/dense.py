"""What the approximate (ANN) dense stores share: a Faiss index for candidates, stored vectors for scores.

Vectors are L2-normalized float32 on the way in (inner product = cosine, as everywhere in ytrec).
The index only *finds* candidates; ``similarity`` and ``row_query`` read the stored vectors
(``CompactVectors`` or the index's own storage), so fusion scores every candidate from the same
vectors whichever index kind found it.

Loading memory-maps what Faiss can map read-only (IVF lists, flat/SQ storage) and the numpy
vectors, so a server starts in milliseconds and forked workers share pages. A mapped index must
never be modified (Faiss aborts the process), so updates load with ``mmap=False`` and every
``with_rows_*`` works on an in-memory copy and returns a new store.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path

import faiss
import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams
from ytrec.index.store import normalize_queries, normalize_rows, normalize_vector


class FaissStore(ModalityStore):
    """Base of the HNSW and IVF stores: ``self.index`` (Faiss, ids = catalog rows) + ``self.vectors``."""

    kind = "abstract"
    mmap_flag = 0  # Faiss IO flag that maps this kind's index read-only

    def __init__(self, name: str, index: faiss.Index, vectors, params: dict, mapped: bool = False) -> None:
        super().__init__(name)
        if index.ntotal != len(vectors):
            raise ArtifactError(f"{name} index holds {index.ntotal} vectors but {len(vectors)} are stored")
        self.index = index
        self.vectors = vectors
        self.params = dict(params)
        self.mapped = mapped

    # -- what subclasses provide --------------------------------------------------------

    @classmethod
    @abstractmethod
    def build(cls, name: str, vectors: np.ndarray, **params) -> "FaissStore":
        """A store over ``vectors`` (normalized here) with this kind's build ``params``."""

    def _faiss_params(self, params: SearchParams | None, k: int):
        """Faiss SearchParameters for one call (None = the index's defaults)."""
        return None

    @abstractmethod
    def _with_index_rows_added(self, vectors: np.ndarray) -> "FaissStore":
        """A new store with normalized ``vectors`` appended as the next rows."""

    @abstractmethod
    def _with_index_rows_removed(self, rows: np.ndarray) -> "FaissStore":
        """A new store without ``rows``; later rows move up."""

    def _save_vectors(self, directory: Path) -> list[str]:
        return []

    @classmethod
    @abstractmethod
    def _load_parts(cls, name: str, directory: Path, meta: dict, index: faiss.Index, mmap: bool):
        """(vectors, params) for a loaded index."""

    # -- the ModalityStore interface ----------------------------------------------------

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, len(self))
        queries = normalize_queries(queries)
        if k < 1:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self._search(queries, k, params)

    def _search(self, queries: np.ndarray, k: int, params: SearchParams | None) -> tuple[np.ndarray, np.ndarray]:
        faiss_params = self._faiss_params(params, k)
        if faiss_params is None:
            return self.index.search(queries, k)
        return self.index.search(queries, k, params=faiss_params)

    def similarity(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        return self.vectors.dot(normalize_vector(query), rows).astype(np.float32, copy=False)

    def row_query(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors.row(int(row)), dtype=np.float32)

    def rows_similarity(self, query_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(query_rows), len(rows)) cosines of catalog rows to rows: the rows decoded once, then a
        product per query row (for index-backed storage, HNSW's, the same bits as ``similarity``)."""
        block = self.vectors.decode(np.asarray(rows, dtype=np.int64))
        scored = [block @ normalize_vector(self.row_query(int(r))) for r in query_rows]
        return np.stack(scored).astype(np.float32, copy=False) if scored else np.zeros((0, len(block)), np.float32)

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        """(n, n) cosines among the given rows (diversity / duplicate collapse), one product."""
        block = self.vectors.decode(np.asarray(rows, dtype=np.int64))
        return block @ block.T

    def describe(self) -> dict:
        return {**super().describe(), "params": self.params}

    def save(self, directory: Path) -> list[str]:
        faiss.write_index(self.index, str(directory / f"{self.name}.index"))
        return [f"{self.name}.index", *self._save_vectors(directory)]

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict, mmap: bool = True) -> "FaissStore":
        path = directory / f"{name}.index"
        if not path.is_file():
            raise ArtifactError(f"bundle is missing {path.name}")
        try:
            index = faiss.read_index(str(path), cls.mmap_flag if mmap else 0)
        except RuntimeError as exc:
            raise ArtifactError(f"cannot read {path.name}: {str(exc).splitlines()[0]}") from None
        vectors, params = cls._load_parts(name, directory, meta, index, mmap)
        if index.d != meta.get("dimension", index.d):
            raise ArtifactError(f"{path.name} is {index.d}-d but the manifest says {meta['dimension']}-d")
        return cls(name, index, vectors, params, mapped=mmap)

    # -- updates --------------------------------------------------------------------------

    def with_rows_added(self, rows: NewRows) -> "FaissStore":
        self._check_writable()
        vectors = normalize_rows(rows.vectors_for(self.name))
        if vectors.shape[1] != self.dimension:
            raise ArtifactError(f"new {self.name} vectors are {vectors.shape[1]}-d, the store is {self.dimension}-d")
        return self._with_index_rows_added(vectors)

    def with_rows_removed(self, rows: np.ndarray) -> "FaissStore":
        self._check_writable()
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if rows.size and (rows[0] < 0 or rows[-1] >= len(self)):
            raise ArtifactError(f"rows to remove must lie in 0..{len(self) - 1}")
        if rows.size >= len(self):
            raise ArtifactError(f"cannot remove every row of the {self.name} store")
        return self._with_index_rows_removed(rows)

    def _check_writable(self) -> None:
        if self.mapped:
            raise ArtifactError(
                f"the {self.name} store is memory-mapped read-only; load the bundle with mmap=False to update it"
            )


def index_bytes(index: faiss.Index) -> int:
    """Serialized size of a Faiss index: what it occupies in memory once loaded (within a few %)."""
    return int(faiss.serialize_index(index).nbytes)
