"""HNSW graph index (kind "hnsw"): fast, high-recall search without training; best at low dimension.

The graph's own storage holds the vectors (``storage``: float32, float16 or int8 = Faiss SQ8 with a
trained per-dimension range), and ``similarity`` reads them back from it, so there is one copy.
Memory per vector: ``storage bytes * d + ~ 2 * M * 4`` bytes of links (level 0 has 2M neighbours).

Knobs: ``M`` (links per node; 32 is the usual sweet spot), ``ef_construction`` (build beam), and
``ef_search`` (query beam, settable per query through ``SearchParams.ef_search``; never below k).

Updates: adding inserts into the graph (HNSW supports it natively). Faiss cannot delete from an
HNSW graph, so removing rows rebuilds the graph from the stored vectors (seconds at 10^5, minutes
at 10^6 on two cores): batch removals, or use an IVF kind where removals are frequent.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import SearchParams
from ytrec.index.compact import STORAGE_DTYPES, IndexBackedVectors
from ytrec.index.dense import FaissStore
from ytrec.index.registry import register
from ytrec.index.store import normalize_rows

DEFAULTS = {"M": 32, "ef_construction": 128, "ef_search": 128, "storage": "float32"}
_SQ_TYPES = {"float16": faiss.ScalarQuantizer.QT_fp16, "int8": faiss.ScalarQuantizer.QT_8bit}
_TRAIN_SAMPLE = 200_000


@register
class HNSWStore(FaissStore):
    kind = "hnsw"
    mmap_flag = faiss.IO_FLAG_MMAP_IFC  # maps the vector storage; the graph links are read into memory

    @classmethod
    def build(cls, name: str, vectors: np.ndarray, **params) -> "HNSWStore":
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ArtifactError(f"unknown hnsw parameter(s) {sorted(unknown)} (known: {sorted(DEFAULTS)})")
        params = {**DEFAULTS, **params}
        if params["storage"] not in STORAGE_DTYPES:
            raise ArtifactError(f"hnsw storage must be one of {', '.join(STORAGE_DTYPES)}, got {params['storage']!r}")
        vectors = normalize_rows(vectors)
        index = _empty_index(vectors.shape[1], params)
        if not index.is_trained:
            index.train(_sample(vectors, _TRAIN_SAMPLE))
        index.add(vectors)
        return cls(name, index, IndexBackedVectors(index), params)

    def _faiss_params(self, params: SearchParams | None, k: int):
        ef = self.params["ef_search"] if params is None or params.ef_search is None else params.ef_search
        if ef == self.params["ef_search"] and k <= ef:
            return None  # the index's own efSearch (set at build and load): no parameter object per query
        return faiss.SearchParametersHNSW(efSearch=max(int(ef), k))

    @classmethod
    def _load_parts(cls, name: str, directory: Path, meta: dict, index: faiss.Index, mmap: bool):
        params = {**DEFAULTS, **meta.get("params", {})}
        index.hnsw.efSearch = int(params["ef_search"])
        return IndexBackedVectors(index), params

    def _with_index_rows_added(self, vectors: np.ndarray) -> "HNSWStore":
        index = faiss.clone_index(self.index)
        index.add(vectors)
        return HNSWStore(self.name, index, IndexBackedVectors(index), self.params)

    def _with_index_rows_removed(self, rows: np.ndarray) -> "HNSWStore":
        keep = np.delete(self.vectors.decode(), rows, axis=0)
        index = faiss.clone_index(self.index)  # keeps the trained SQ range
        index.reset()
        index.add(np.ascontiguousarray(keep))
        return HNSWStore(self.name, index, IndexBackedVectors(index), self.params)


def _empty_index(d: int, params: dict) -> faiss.Index:
    m = int(params["M"])
    if params["storage"] == "float32":
        index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexHNSWSQ(d, _SQ_TYPES[params["storage"]], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = int(params["ef_construction"])
    index.hnsw.efSearch = int(params["ef_search"])
    return index


def _sample(vectors: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    if len(vectors) <= n:
        return vectors
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), n, replace=False))
    return np.ascontiguousarray(vectors[rows])
