"""One modality's vectors and their Faiss index.

Convention for all of ytrec: vectors are float32 and L2-normalized, so inner product is cosine
similarity. Index row ``i`` is catalog row ``i``. The raw vectors are kept beside the index so
that fusion can score *every* candidate in *every* modality exactly, whichever index found it.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams
from ytrec.index.registry import register


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalize rows in float32; an all-zero row stays zero instead of becoming NaN."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def normalize_queries(queries: np.ndarray) -> np.ndarray:
    """(n, d) normalized float32 queries from one vector or a batch (one vector, the usual
    query, skips ``normalize_rows``' 2-d overhead; the same bits either way)."""
    queries = np.asarray(queries)
    if queries.ndim == 1:
        return normalize_vector(queries)[None, :]
    return normalize_rows(queries)


def normalize_vector(vector: np.ndarray) -> np.ndarray:
    """One vector L2-normalized in float32: ``normalize_rows`` of one row, to the bit (the same
    summation), without its 2-d overhead; every query rescoring calls this."""
    vector = np.asarray(vector, dtype=np.float32)
    return vector / np.maximum(np.sqrt(np.add.reduce(vector * vector)), np.float32(1e-12))


@register
class VectorStore(ModalityStore):
    """Exact (Flat) inner-product search over the stored vectors."""

    kind = "flat"

    def __init__(self, name: str, vectors: np.ndarray, index: faiss.Index) -> None:
        super().__init__(name)
        if index.ntotal != len(vectors):
            raise ArtifactError(
                f"{name} index holds {index.ntotal} vectors but {len(vectors)} are stored"
            )
        self.vectors = vectors
        self._vectors = np.asarray(vectors)  # plain view: indexing a np.memmap costs a subclass object per read
        self.index = index

    @classmethod
    def build(cls, name: str, vectors: np.ndarray) -> "VectorStore":
        vectors = normalize_rows(vectors)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(name, vectors, index)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, queries: np.ndarray, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) per query; rows are -1 where fewer than k exist (exact: ``params`` unused)."""
        k = min(k, len(self))
        return self.index.search(normalize_queries(queries), k)

    def similarity(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosine of one normalized query against the given rows."""
        return np.asarray(self._vectors[rows], dtype=np.float32) @ normalize_vector(query)

    def row_query(self, row: int) -> np.ndarray:
        return np.asarray(self._vectors[row], dtype=np.float32)

    def rows_similarity(self, query_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """(len(query_rows), len(rows)) cosines of catalog rows to rows: the rows gathered once, then
        the same product per query row as ``similarity`` (the same bits)."""
        block = np.asarray(self._vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)
        scored = [block @ normalize_vector(self.row_query(int(r))) for r in query_rows]
        return np.stack(scored) if scored else np.zeros((0, len(block)), dtype=np.float32)

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        """(n, n) cosines among the given rows (diversity / duplicate collapse), one product."""
        block = np.asarray(self._vectors[rows], dtype=np.float32)
        return block @ block.T

    def save(self, directory: Path) -> list[str]:
        np.save(directory / f"{self.name}_vectors.npy", self.vectors)
        faiss.write_index(self.index, str(directory / f"{self.name}.index"))
        return [f"{self.name}_vectors.npy", f"{self.name}.index"]

    def with_rows_added(self, rows: NewRows) -> "VectorStore":
        vectors = normalize_rows(rows.vectors_for(self.name))
        if vectors.shape[1] != self.dimension:
            raise ArtifactError(f"new {self.name} vectors are {vectors.shape[1]}-d, the store is {self.dimension}-d")
        return VectorStore.build(self.name, np.concatenate([np.asarray(self.vectors), vectors]))

    def with_rows_removed(self, rows: np.ndarray) -> "VectorStore":
        if len(np.unique(rows)) >= len(self):
            raise ArtifactError(f"cannot remove every row of the {self.name} store")
        return VectorStore.build(self.name, np.delete(np.asarray(self.vectors), rows, axis=0))

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict | None = None, mmap: bool = True) -> "VectorStore":
        vectors_path = directory / f"{name}_vectors.npy"
        index_path = directory / f"{name}.index"
        for path in (vectors_path, index_path):
            if not path.is_file():
                raise ArtifactError(f"bundle is missing {path.name}")
        try:
            vectors = np.load(vectors_path, mmap_mode="r")
            # IO_FLAG_MMAP_IFC maps the flat codes read-only: a server starts without reading them
            # and forked workers share the pages. Never modified in place (updates build anew).
            index = faiss.read_index(str(index_path), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ArtifactError(f"cannot read {name} vectors/index: {exc}") from None
        return cls(name, vectors, index)
