"""Inverted-file indexes with compressed codes: kinds "ivfpq" and "ivfsq".

Both cluster the vectors into ``nlist`` lists (k-means on a sample) and scan the ``nprobe`` lists
nearest to the query; ``nprobe`` is settable per query (``SearchParams.nprobe``).

- ``ivfsq``: each vector stored as 8-bit scalar-quantized codes (Faiss SQ8, trained per-dimension
  range): ``d`` bytes a vector. Scores from these codes are within ~1e-3 of the exact cosine, so
  there is no separate re-ranking; ``similarity`` decodes the same codes through a direct map
  (8 bytes a vector), so the codes are the only copy of the vectors.
- ``ivfpq``: each vector compressed to ``m`` bytes by product quantization (``m`` sub-vectors of
  ``d/m`` dimensions, 256 centroids each, on the residual from the list centroid). Scanning is
  cheap (``m`` table look-ups a vector) but PQ scores are coarse, so the ``rerank`` best by PQ
  score are re-scored exactly from compact stored vectors (``CompactVectors``: int8 by default)
  and the top k of those returned. ``SearchParams.rerank`` sets the depth per query (0 = off).

Memory per vector: ivfsq ``d + 16`` bytes; ivfpq ``m + 8`` bytes + the re-ranking vectors
(``d`` bytes as int8). The choice between them is made by ``index.auto`` from measurements.

Updates need no retraining: added vectors go to their nearest list (ids continue the catalog
rows); removed rows are deleted from their lists and the ids after them renumbered in place
(cheap: one pass over the id arrays). The centroids stay those of the build, which is fine while
new videos resemble the old; ``ytrec build`` again when the catalog has changed character.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import SearchParams
from ytrec.index.compact import STORAGE_DTYPES, CompactVectors, IndexBackedVectors
from ytrec.index.dense import FaissStore
from ytrec.index.registry import register
from ytrec.index.store import normalize_rows

KMEANS_ITERATIONS = 10
MIN_POINTS_PER_LIST = 39  # Faiss's own floor for a meaningful k-means


def default_nlist(n: int) -> int:
    """~2·sqrt(n) lists, a power of two, and never so many that a list trains on < 39 points."""
    if n < 2 * MIN_POINTS_PER_LIST:
        return 1
    target = 2.0 * math.sqrt(n)
    nlist = 2 ** round(math.log2(target))
    return int(max(1, min(nlist, n // MIN_POINTS_PER_LIST)))


def default_nprobe(nlist: int) -> int:
    """An eighth of the lists: recall@10 ~0.95 on the benchmark's clustered embeddings (nlist/32
    gave ~0.86: neighbours in clustered data straddle cells)."""
    return int(max(1, min(nlist, round(nlist / 8))))


def default_pq_m(d: int) -> int:
    """Sub-quantizers: ~12 dimensions each (768-d -> 64 bytes a vector), dividing ``d``."""
    target = max(1, d // 12)
    return max(m for m in range(1, target + 1) if d % m == 0)


def train_size(nlist: int, n: int) -> int:
    return int(min(n, max(64 * nlist, 20_000)))


class _IVFStore(FaissStore):
    mmap_flag = faiss.IO_FLAG_MMAP  # inverted lists mapped read-only (OnDiskInvertedLists)
    defaults: dict = {}

    @classmethod
    def _params(cls, n: int, d: int, given: dict) -> dict:
        unknown = set(given) - set(cls.defaults) - {"nlist", "nprobe"}
        if unknown:
            raise ArtifactError(f"unknown {cls.kind} parameter(s) {sorted(unknown)}")
        params = {**cls.defaults, **given}
        params.setdefault("nlist", default_nlist(n))
        params.setdefault("nprobe", default_nprobe(params["nlist"]))
        if params["nlist"] > n:
            raise ArtifactError(f"{cls.kind}: nlist {params['nlist']} exceeds the {n} vectors to index")
        return params

    def _nprobe(self, params: SearchParams | None) -> int:
        return int(self.params["nprobe"] if params is None or params.nprobe is None else params.nprobe)

    def _faiss_params(self, params: SearchParams | None, k: int):
        return faiss.SearchParametersIVF(nprobe=self._nprobe(params))

    def _cloned_index(self) -> faiss.Index:
        return faiss.clone_index(self.index)

    def _remove_from_index(self, rows: np.ndarray) -> faiss.Index:
        index = self._cloned_index()
        ivf = faiss.extract_index_ivf(index)
        had_map = ivf.direct_map.type != faiss.DirectMap.NoMap
        if had_map:
            ivf.make_direct_map(False)
        ivf.remove_ids(faiss.IDSelectorBatch(rows))
        _renumber(ivf, rows)
        if had_map:
            ivf.make_direct_map(True)
        return index


def _renumber(ivf: faiss.IndexIVF, removed: np.ndarray) -> None:
    """Shift every stored id down by the number of removed rows before it (catalog rows move up)."""
    invlists = ivf.invlists
    for list_no in range(ivf.nlist):
        size = invlists.list_size(list_no)
        if size:
            ids = faiss.rev_swig_ptr(invlists.get_ids(list_no), size)
            ids -= np.searchsorted(removed, ids)


def _train(index: faiss.Index, vectors: np.ndarray, nlist: int) -> None:
    ivf = faiss.extract_index_ivf(index)
    ivf.cp.niter = KMEANS_ITERATIONS
    ivf.cp.max_points_per_centroid = 10**9  # we subsample ourselves
    if isinstance(ivf, faiss.IndexIVFPQ):  # 256 centroids per sub-quantizer: 64 points each suffice
        ivf.pq.cp.niter = KMEANS_ITERATIONS
        ivf.pq.cp.max_points_per_centroid = 64
    size = train_size(nlist, len(vectors))
    if len(vectors) > size:
        rows = np.sort(np.random.default_rng(0).choice(len(vectors), size, replace=False))
        index.train(np.ascontiguousarray(vectors[rows]))
    else:
        index.train(vectors)


@register
class IVFSQStore(_IVFStore):
    kind = "ivfsq"
    defaults = {"storage": "int8"}

    @classmethod
    def build(cls, name: str, vectors: np.ndarray, **params) -> "IVFSQStore":
        vectors = normalize_rows(vectors)
        n, d = vectors.shape
        params = cls._params(n, d, params)
        qtype = {"int8": faiss.ScalarQuantizer.QT_8bit, "float16": faiss.ScalarQuantizer.QT_fp16}.get(params["storage"])
        if qtype is None:
            raise ArtifactError(f"ivfsq storage must be int8 or float16, got {params['storage']!r}")
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, int(params["nlist"]), qtype, faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantizer.this.disown()
        _train(index, vectors, int(params["nlist"]))
        index.add(vectors)
        index.make_direct_map(True)
        index.nprobe = int(params["nprobe"])
        return cls(name, index, IndexBackedVectors(index), params)

    @classmethod
    def _load_parts(cls, name: str, directory: Path, meta: dict, index: faiss.Index, mmap: bool):
        params = dict(meta.get("params", {}))
        if faiss.extract_index_ivf(index).direct_map.type == faiss.DirectMap.NoMap:
            raise ArtifactError(f"{name}.index has no direct map; rebuild the bundle")
        return IndexBackedVectors(index), params

    def _with_index_rows_added(self, vectors: np.ndarray) -> "IVFSQStore":
        index = self._cloned_index()
        index.add(vectors)
        return IVFSQStore(self.name, index, IndexBackedVectors(index), self.params)

    def _with_index_rows_removed(self, rows: np.ndarray) -> "IVFSQStore":
        index = self._remove_from_index(rows)
        return IVFSQStore(self.name, index, IndexBackedVectors(index), self.params)


@register
class IVFPQStore(_IVFStore):
    kind = "ivfpq"
    defaults = {"nbits": 8, "rerank": 256, "storage": "int8"}

    @classmethod
    def _params(cls, n: int, d: int, given: dict) -> dict:
        params = super()._params(n, d, {k: v for k, v in given.items() if k != "m"})
        params["m"] = int(given.get("m") or default_pq_m(d))
        if d % params["m"]:
            raise ArtifactError(f"ivfpq: m={params['m']} must divide the dimension {d}")
        if params["storage"] not in STORAGE_DTYPES:
            raise ArtifactError(f"ivfpq storage must be one of {', '.join(STORAGE_DTYPES)}")
        return params

    @classmethod
    def build(cls, name: str, vectors: np.ndarray, **params) -> "IVFPQStore":
        vectors = normalize_rows(vectors)
        n, d = vectors.shape
        params = cls._params(n, d, params)
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFPQ(
            quantizer, d, int(params["nlist"]), int(params["m"]), int(params["nbits"]), faiss.METRIC_INNER_PRODUCT
        )
        index.own_fields = True
        quantizer.this.disown()
        _train(index, vectors, int(params["nlist"]))
        index.add(vectors)
        index.nprobe = int(params["nprobe"])
        return cls(name, index, CompactVectors.encode(vectors, params["storage"]), params)

    def _rerank_depth(self, params: SearchParams | None) -> int:
        return int(self.params["rerank"] if params is None or params.rerank is None else params.rerank)

    def _search(self, queries: np.ndarray, k: int, params: SearchParams | None) -> tuple[np.ndarray, np.ndarray]:
        depth = min(self._rerank_depth(params), len(self))
        fetch = max(k, depth)
        scores, rows = self.index.search(queries, fetch, params=self._faiss_params(params, k))
        if depth <= 0:
            return scores[:, :k], rows[:, :k]
        out_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        out_rows = np.full((len(queries), k), -1, dtype=np.int64)
        for i, query in enumerate(queries):
            found = rows[i][rows[i] >= 0]
            if found.size == 0:
                continue
            exact = self.vectors.dot(query, found)
            best = np.argsort(-exact, kind="stable")[:k]
            out_scores[i, : best.size] = exact[best]
            out_rows[i, : best.size] = found[best]
        return out_scores, out_rows

    def _save_vectors(self, directory: Path) -> list[str]:
        return self.vectors.save(directory, f"{self.name}_rerank")

    @classmethod
    def _load_parts(cls, name: str, directory: Path, meta: dict, index: faiss.Index, mmap: bool):
        params = dict(meta.get("params", {}))
        vectors = CompactVectors.load(directory, f"{name}_rerank", params.get("storage", "int8"), mmap=mmap)
        return vectors, params

    def _with_index_rows_added(self, vectors: np.ndarray) -> "IVFPQStore":
        index = self._cloned_index()
        index.add(vectors)
        return IVFPQStore(self.name, index, self.vectors.appended(vectors), self.params)

    def _with_index_rows_removed(self, rows: np.ndarray) -> "IVFPQStore":
        index = self._remove_from_index(rows)
        return IVFPQStore(self.name, index, self.vectors.without(rows), self.params)
