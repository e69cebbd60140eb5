"""Compact storage of a modality's vectors, for exact-ish rescoring without float32's memory.

The Recommender rescores every candidate in every modality from stored vectors
(``ModalityStore.similarity``), and an IVF-PQ store re-ranks its short list from them, so the
stored vectors are read at random rows, a few hundred per query; they need not be float32:

- ``float32``: 4 bytes a dimension, exact.
- ``float16``: 2 bytes; cosine error about 1e-4 on unit vectors (fp16 has 11 significant bits).
- ``int8``: 1 byte; symmetric per-dimension scale ``s_d = max_i |x_id| / 127`` taken from the
  vectors the store was built from, ``code = round(x / s)``. The error of one component is at most
  ``s_d / 2``, so ``|cos_int8 - cos| <= 0.5 * sum_d s_d |q_d|`` (checked in the tests and reported by
  ``max_cosine_error``); on 768-d text embeddings it is about 1e-3, far below the gaps between
  neighbours that matter. Rows added later reuse the build's scale and are clipped to it (a
  component beyond the build's largest is rare and loses only its excess).

Files: ``<prefix>.npy`` (codes) and, for int8, ``<prefix>_scale.npy``. Both load memory-mapped,
so a server starts without reading them and forked workers share the pages.

``IndexBackedVectors`` gives the same reading interface over a Faiss index that already stores
the vectors (HNSW's storage, IVF-SQ8's codes via a direct map), so those kinds keep one copy.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from ytrec.errors import ArtifactError

STORAGE_DTYPES = ("float32", "float16", "int8")
BYTES_PER_COMPONENT = {"float32": 4, "float16": 2, "int8": 1}


class CompactVectors:
    """Unit vectors stored as float32, float16 or int8 (per-dimension scale), decoded on read."""

    def __init__(self, codes: np.ndarray, dtype: str, scale: np.ndarray | None = None) -> None:
        if dtype not in STORAGE_DTYPES:
            raise ArtifactError(f"unknown vector storage '{dtype}' (choose from {', '.join(STORAGE_DTYPES)})")
        if (dtype == "int8") != (scale is not None):
            raise ArtifactError("int8 vector storage needs its per-dimension scale, and only it")
        self.codes = codes
        self.dtype = dtype
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float32)

    @classmethod
    def encode(cls, vectors: np.ndarray, dtype: str, scale: np.ndarray | None = None) -> "CompactVectors":
        """Store ``vectors`` (float32, unit rows) compactly; int8 derives its scale unless given."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if dtype == "float32":
            return cls(vectors.copy(), dtype)
        if dtype == "float16":
            return cls(vectors.astype(np.float16), dtype)
        if dtype != "int8":
            return cls(vectors, dtype)  # raises the unknown-storage error
        if scale is None:
            peak = np.abs(vectors).max(axis=0) if len(vectors) else np.ones(vectors.shape[1], np.float32)
            scale = np.maximum(peak, 1e-6).astype(np.float32) / 127.0
        return cls(_quantize(vectors, scale), dtype, scale)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def dimension(self) -> int:
        return int(self.codes.shape[1])

    @property
    def nbytes(self) -> int:
        return int(self.codes.nbytes + (0 if self.scale is None else self.scale.nbytes))

    def decode(self, rows: np.ndarray | slice | None = None) -> np.ndarray:
        """float32 vectors of the given rows (all rows when ``rows`` is None)."""
        codes = self.codes if rows is None else self.codes[rows]
        out = np.asarray(codes, dtype=np.float32)
        if self.scale is not None:
            out = out * self.scale
        return out

    def dot(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Inner product of one float32 query with the decoded rows (int8: scale folded into the query)."""
        query = np.asarray(query, dtype=np.float32)
        if self.scale is not None:
            return np.asarray(self.codes[rows], dtype=np.float32) @ (query * self.scale)
        return np.asarray(self.codes[rows], dtype=np.float32) @ query

    def row(self, row: int) -> np.ndarray:
        return self.decode(np.array([row]))[0]

    def max_cosine_error(self, query: np.ndarray) -> float:
        """Upper bound of |stored cosine - true cosine| for this query against any stored row."""
        if self.dtype == "float32":
            return 0.0
        if self.dtype == "float16":
            return float(np.abs(query).sum() * 2.0**-11)  # half an fp16 ulp of a value <= 1
        return float(0.5 * np.abs(query * self.scale).sum())

    # -- updates: new objects, never writing into a (possibly memory-mapped) array ---------

    def appended(self, vectors: np.ndarray) -> "CompactVectors":
        new = CompactVectors.encode(vectors, self.dtype, scale=self.scale)
        return CompactVectors(np.concatenate([np.asarray(self.codes), new.codes]), self.dtype, self.scale)

    def without(self, rows: np.ndarray) -> "CompactVectors":
        return CompactVectors(np.delete(np.asarray(self.codes), rows, axis=0), self.dtype, self.scale)

    # -- files ------------------------------------------------------------------------------

    def save(self, directory: Path, prefix: str) -> list[str]:
        np.save(directory / f"{prefix}.npy", np.ascontiguousarray(self.codes))
        files = [f"{prefix}.npy"]
        if self.scale is not None:
            np.save(directory / f"{prefix}_scale.npy", self.scale)
            files.append(f"{prefix}_scale.npy")
        return files

    @classmethod
    def load(cls, directory: Path, prefix: str, dtype: str, mmap: bool = True) -> "CompactVectors":
        path = directory / f"{prefix}.npy"
        scale_path = directory / f"{prefix}_scale.npy"
        if not path.is_file():
            raise ArtifactError(f"bundle is missing {path.name}")
        if dtype == "int8" and not scale_path.is_file():
            raise ArtifactError(f"bundle is missing {scale_path.name}")
        try:
            codes = np.load(path, mmap_mode="r" if mmap else None)
            scale = np.load(scale_path) if dtype == "int8" else None
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read {path.name}: {exc}") from None
        if codes.dtype != np.dtype(dtype) or codes.ndim != 2:
            raise ArtifactError(f"{path.name} holds {codes.dtype} {codes.shape}, expected 2-d {dtype}")
        return cls(codes, dtype, scale)


def _quantize(vectors: np.ndarray, scale: np.ndarray) -> np.ndarray:
    out = np.empty(vectors.shape, dtype=np.int8)
    for start in range(0, len(vectors), 65536):  # bounded temporaries on million-row arrays
        block = np.rint(vectors[start : start + 65536] / scale)
        out[start : start + 65536] = np.clip(block, -127, 127)
    return out


class IndexBackedVectors:
    """The reading side of CompactVectors over a Faiss index that stores the vectors itself."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def decode(self, rows: np.ndarray | None = None) -> np.ndarray:
        if rows is None:
            return self.index.reconstruct_n(0, self.index.ntotal) if self.index.ntotal else np.zeros((0, self.index.d), np.float32)
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        if rows.size == 0:
            return np.zeros((0, self.index.d), np.float32)
        return self.index.reconstruct_batch(rows)

    def dot(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.decode(rows) @ np.asarray(query, dtype=np.float32)

    def row(self, row: int) -> np.ndarray:
        return self.decode(np.array([row]))[0]
