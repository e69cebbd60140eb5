"""Choosing a store kind per modality from catalog size, dimension and a memory budget (``--index auto``).

Like autofaiss, the choice is a rule over sizes, not a search, and it is recorded in the manifest
(``index_selection``) with the numbers that drove it. The rules, measured on this project's
benchmark (bench/README.md, two CPU cores):

1. **flat** (exact) while one query's full scan stays small: ``n * d * 4 <= FLAT_SCAN_BYTES``
   (768-d: up to ~20k videos; 64-d: up to ~200k). Exact is then as fast as an ANN index within a
   millisecond or two, needs no parameters and no training.
2. Otherwise, low dimension (``d <= 128``, the thumbnail latents) -> **hnsw** (graph search excels
   at low d and builds in minutes at 10^6), its storage float32, else float16, else int8 -
   the first whose memory fits.
3. High dimension (title embeddings) -> **ivfsq** (8-bit codes, no separate re-ranking, one copy of
   the vectors), else **ivfpq** (PQ codes + int8 re-ranking vectors). HNSW at high d is left out:
   its build takes tens of minutes at 10^6 on two cores for no recall gain over IVF here.
4. With a budget, each modality gets a share proportional to its float32 size, and the first kind
   in its order whose estimate fits is taken; if none fits, the smallest is taken and the record
   says ``over_budget``.

Estimates are within ~10% of the files written (``estimate_bytes``; checked by the benchmark).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore
from ytrec.index.compact import BYTES_PER_COMPONENT
from ytrec.index.ivf import default_nlist, default_pq_m
from ytrec.index.registry import store_class

FLAT_SCAN_BYTES = 64 * 2**20
LOW_DIMENSION = 128
INDEX_CHOICES = ("auto", "flat", "hnsw", "ivfpq", "ivfsq")


@dataclass
class IndexChoice:
    kind: str
    params: dict = field(default_factory=dict)
    reason: str = ""
    estimated_bytes: int = 0
    budget_bytes: int | None = None
    over_budget: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def estimate_bytes(kind: str, n: int, d: int, params: dict | None = None) -> int:
    """Memory of a store of ``kind`` holding n d-dimensional vectors (index + stored vectors)."""
    params = params or {}
    if kind == "flat":
        return 2 * n * d * 4  # the .npy vectors and the IndexFlatIP's own copy
    if kind == "hnsw":
        m = int(params.get("M", 32))
        storage = BYTES_PER_COMPONENT[params.get("storage", "float32")]
        return int(n * (d * storage + 2 * m * 4 * 1.07 + 16))  # level-0 links + ~7% upper levels
    nlist = int(params.get("nlist") or default_nlist(n))
    centroids = nlist * d * 4
    if kind == "ivfsq":
        return n * (d * (1 if params.get("storage", "int8") == "int8" else 2) + 16) + centroids
    if kind == "ivfpq":
        m = int(params.get("m") or default_pq_m(d))
        rerank = BYTES_PER_COMPONENT[params.get("storage", "int8")] * d
        return n * (m + 8 + rerank) + centroids + 256 * d * 4
    raise ArtifactError(f"unknown index kind '{kind}' (choose from {', '.join(INDEX_CHOICES)})")


def _candidates(n: int, d: int) -> list[tuple[str, dict, str]]:
    if d <= LOW_DIMENSION:
        return [
            ("hnsw", {"storage": "float32"}, f"{d}-d is low: HNSW graph search"),
            ("hnsw", {"storage": "float16"}, f"{d}-d is low: HNSW, float16 storage to fit the budget"),
            ("hnsw", {"storage": "int8"}, f"{d}-d is low: HNSW, int8 storage to fit the budget"),
            ("ivfsq", {}, "IVF-SQ8 to fit the budget"),
            ("ivfpq", {}, "IVF-PQ to fit the budget"),
        ]
    return [
        ("ivfsq", {}, f"{d}-d is high: IVF with 8-bit codes (HNSW builds too slowly at this d)"),
        ("ivfpq", {}, f"{d}-d is high: IVF-PQ + int8 re-ranking to fit the budget"),
    ]


def choose_index(n: int, d: int, budget_bytes: int | None = None) -> IndexChoice:
    """The kind (and non-default parameters) for n d-dimensional vectors under ``budget_bytes``."""
    flat = estimate_bytes("flat", n, d)
    if n * d * 4 <= FLAT_SCAN_BYTES and (budget_bytes is None or flat <= budget_bytes):
        return IndexChoice("flat", {}, f"exact: a full scan is {n * d * 4 / 2**20:.1f} MB, "
                           f"<= {FLAT_SCAN_BYTES / 2**20:.0f} MB", flat, budget_bytes)
    options = _candidates(n, d)
    for kind, params, reason in options:
        size = estimate_bytes(kind, n, d, params)
        if budget_bytes is None or size <= budget_bytes:
            return IndexChoice(kind, params, reason, size, budget_bytes)
    kind, params, _ = min(options, key=lambda o: estimate_bytes(o[0], n, d, o[1]))
    size = estimate_bytes(kind, n, d, params)
    return IndexChoice(kind, params, "nothing fits the budget: the smallest kind", size, budget_bytes, True)


def split_budget(budget_bytes: int | None, dimensions: dict[str, int]) -> dict[str, int | None]:
    """Each modality's share of the budget, proportional to its dimension (same n for all)."""
    if budget_bytes is None:
        return {name: None for name in dimensions}
    total = sum(dimensions.values()) or 1
    return {name: int(budget_bytes * d / total) for name, d in dimensions.items()}


def build_store(
    name: str, vectors: np.ndarray, kind: str = "flat", params: dict | None = None, budget_bytes: int | None = None
) -> tuple[ModalityStore, IndexChoice]:
    """Build one modality's store of ``kind`` ("auto" chooses); returns it and the choice record."""
    n, d = vectors.shape
    if kind == "auto":
        choice = choose_index(n, d, budget_bytes)
        choice.params = {**choice.params, **(params or {})}
    elif kind in INDEX_CHOICES:
        given = dict(params or {})
        choice = IndexChoice(kind, given, "requested", estimate_bytes(kind, n, d, given), budget_bytes)
        choice.over_budget = budget_bytes is not None and choice.estimated_bytes > budget_bytes
    else:
        raise ArtifactError(f"unknown index kind '{kind}' (choose from {', '.join(INDEX_CHOICES)})")
    if choice.kind in ("ivfpq", "ivfsq") and n < 2:
        choice = IndexChoice("flat", {}, f"{n} vector(s): too few to train {choice.kind}", estimate_bytes("flat", n, d))
    cls = store_class(choice.kind)
    store = cls.build(name, vectors, **choice.params) if choice.params else cls.build(name, vectors)
    choice.params = store.describe().get("params", choice.params)
    return store, choice


def rebuild_like(store: ModalityStore, vectors: np.ndarray) -> ModalityStore:
    """A store of the same kind and parameters as ``store`` over new vectors (``ytrec retrain``)."""
    meta = store.describe()
    params = dict(meta.get("params", {}))
    if meta["index"] in ("ivfpq", "ivfsq"):
        params.pop("nlist", None)  # re-derived from the (possibly new) size
        params.pop("nprobe", None)
    store, _ = build_store(store.name, vectors, meta["index"], params)
    return store


_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "m": 2**20, "mb": 2**20, "g": 2**30, "gb": 2**30}


def parse_bytes(text: str) -> int:
    """'1.5GB', '800M', '2g', '123456' -> bytes (binary units)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text or "")
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise ArtifactError(f"cannot read memory budget {text!r}: use e.g. 1.5GB, 800MB or a byte count")
    return int(float(match.group(1)) * _UNITS[unit])
