"""Choosing a store kind per modality from catalog size, dimension and a memory budget (``--index auto``).

Like autofaiss, the choice is a rule over sizes, not a search, and it is recorded in the manifest
(``index_selection``) with the numbers that drove it. The rules follow the project's benchmark
(bench/README.md; two CPU cores, clustered embeddings like real ones):

1. **flat** (exact) while one query's full scan stays small: ``n * d * 4 <= FLAT_SCAN_BYTES``
   (16 MB: 768-d up to ~5k videos, 64-d up to ~65k). Exact then costs about a millisecond, needs
   no parameters and no training.
2. Otherwise **hnsw**, at any dimension: on the benchmark it reached recall@10 >= 0.95 at about a
   millisecond per modality, where IVF needed 10-30x the scanning for the same recall (neighbours
   in clustered embeddings straddle IVF cells) and IVF-PQ's codes ranked too coarsely to re-rank
   from a short list. Its storage is chosen to fit: float32 (low d only), float16, int8 (SQ8),
   then the same with half the graph links (M=16).
3. **ivfsq** and then **ivfpq** when even int8 HNSW does not fit the budget: they need ``d + 16``
   and ``m + 8 + d`` bytes a vector (no graph links), at a lower recall for the same time.
4. With a budget, every signal of a bundle is chosen *together* (``choose_jointly``; the signal
   specs in ``ytrec.signals`` give each signal's candidates, the lexical and copy stores
   included): the combination whose kinds rank best in each signal's order (fewest steps down in
   total; then the one using most of the budget) whose estimated memory fits. If none fits, the
   smallest kinds are taken and the record says ``over_budget``. A build without
   ``--memory-budget`` uses ``DEFAULT_MEMORY_BUDGET`` (1.5 GB: all four stores of a million
   videos on a small server).

Estimates are within ~10% of the files written (``estimate_bytes``; the benchmark prints both).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore

# faiss-backed modules load on first use: the CLI reads this module's choices at start-up

FLAT_SCAN_BYTES = 16 * 2**20
LOW_DIMENSION = 128
INDEX_CHOICES = ("auto", "flat", "hnsw", "ivfpq", "ivfsq")
DEFAULT_MEMORY_BUDGET = 1_500_000_000


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

    @classmethod
    def of(cls, candidate: "StoreCandidate", budget_bytes: int | None = None) -> "IndexChoice":
        return cls(candidate.kind, dict(candidate.params), candidate.reason, candidate.estimated_bytes, budget_bytes)


def estimate_bytes(kind: str, n: int, d: int, params: dict | None = None) -> int:
    """Memory of a store of ``kind`` holding n d-dimensional vectors (index + stored vectors)."""
    from ytrec.index.compact import BYTES_PER_COMPONENT
    from ytrec.index.ivf import default_nlist, default_pq_m

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


@dataclass(frozen=True)
class StoreCandidate:
    """One way to store a signal: a kind, its parameters, why, and its estimated memory."""

    kind: str
    params: dict
    reason: str
    estimated_bytes: int
    steps: float | None = None  # how far down from the best this is (None: its place in the list)


def dense_kinds(n: int, d: int) -> list[StoreCandidate]:
    """Every approximate kind for n d-dimensional vectors, most accurate first.

    HNSW's float16 storage is within 1e-4 of float32 and int8 within ~1e-3 (index/compact.py),
    while fewer graph links cost recall, so links are cut after precision. Measured on 100k
    clustered 768-d title vectors (recall@10 against exact, ef_search 128): int8 M=32 0.985,
    int8 M=16 0.978; 4-bit storage fell to 0.85, so it is not offered. Recall@41 of 200k of the
    1M bench's title vectors (ef_search 128, ef_construction 128): M=16 ~0.94, M=12 0.937, M=8
    0.89 (bench/README.md), so M=12 is a step of its own before M=8, the last HNSW step before
    IVF (which needs many lists scanned for the same recall)."""
    storages = ["float32", "float16", "int8"] if d <= LOW_DIMENSION else ["float16", "int8"]
    links = [({"storage": s}, f"HNSW graph, {s} storage") for s in storages]
    links += [({"storage": s, "M": 16}, f"HNSW graph (M=16), {s} storage, to fit the budget") for s in storages[-2:]]
    links += [({"storage": "int8", "M": m}, f"HNSW graph (M={m}), int8 storage, to fit the budget") for m in (12, 8)]
    hnsw = [StoreCandidate("hnsw", p, r, estimate_bytes("hnsw", n, d, p)) for p, r in links]
    # IVF only when no HNSW setting fits: counted as far more steps than any graph setting
    ivf = [StoreCandidate("ivfsq", {}, "IVF-SQ8: no graph links, to fit the budget", estimate_bytes("ivfsq", n, d), 20),
           StoreCandidate("ivfpq", {}, "IVF-PQ + int8 re-ranking: the smallest, to fit the budget",
                          estimate_bytes("ivfpq", n, d), 40)]
    return hnsw + ivf


def dense_candidates(n: int, d: int) -> list[StoreCandidate]:
    """What ``--index auto`` may choose for a dense signal: exact while a full scan is small."""
    scan = n * d * 4
    if scan <= FLAT_SCAN_BYTES:
        reason = f"exact: a full scan is {scan / 2**20:.1f} MB, <= {FLAT_SCAN_BYTES / 2**20:.0f} MB"
        return [StoreCandidate("flat", {}, reason, estimate_bytes("flat", n, d))]
    return dense_kinds(n, d)


def choose_jointly(
    candidates: dict[str, list[StoreCandidate]], budget_bytes: int | None = None
) -> dict[str, IndexChoice]:
    """One candidate per signal, all of them under one budget.

    The combination whose picks rank best (fewest steps down each list in total; then the one
    that steps the largest store down least, since a high-dimensional graph loses more recall
    per step; then the one using most of the budget) that fits; if none fits, the last
    (smallest) of every list, recorded as ``over_budget``."""
    names = list(candidates)
    sizes = {m: [c.estimated_bytes for c in candidates[m]] for m in names}
    steps = {m: [i if c.steps is None else c.steps for i, c in enumerate(candidates[m])] for m in names}
    largest_first = sorted(range(len(names)), key=lambda j: -sizes[names[j]][0])

    def rank(combo: tuple[int, ...]):
        down = [steps[m][i] for m, i in zip(names, combo)]
        return sum(down), [down[j] for j in largest_first], -sum(sizes[m][i] for m, i in zip(names, combo))

    combos = sorted(itertools.product(*(range(len(candidates[m])) for m in names)), key=rank)
    pick = next((c for c in combos if budget_bytes is None
                 or sum(sizes[m][i] for m, i in zip(names, c)) <= budget_bytes), None)
    over = pick is None
    if over:
        pick = tuple(len(candidates[m]) - 1 for m in names)
    chosen = {}
    for m, i in zip(names, pick):
        c = candidates[m][i]
        reason = "nothing fits the budget: the smallest kind" if over and len(candidates[m]) > 1 else c.reason
        chosen[m] = IndexChoice(c.kind, dict(c.params), reason, c.estimated_bytes, budget_bytes, over)
    return chosen


def choose_indexes(n: int, dims: dict[str, int], budget_bytes: int | None = None) -> dict[str, IndexChoice]:
    """Kinds for dense signals (same n vectors each) under one budget for all of them."""
    return choose_jointly({name: dense_candidates(n, d) for name, d in dims.items()}, budget_bytes)


def choose_index(n: int, d: int, budget_bytes: int | None = None) -> IndexChoice:
    """The kind (and non-default parameters) for one modality of n d-dimensional vectors."""
    return choose_indexes(n, {"vectors": d}, budget_bytes)["vectors"]


def requested_kind(kind: str, n: int, d: int) -> StoreCandidate:
    """``--index KIND`` for a dense signal: the kind's first (most accurate) setting at this
    dimension, e.g. hnsw float16 at high d."""
    if kind not in INDEX_CHOICES or kind == "auto":
        raise ArtifactError(f"unknown index kind '{kind}' (choose from {', '.join(INDEX_CHOICES)})")
    params = next((dict(c.params) for c in dense_kinds(n, d) if c.kind == kind), {})
    return StoreCandidate(kind, params, "requested", estimate_bytes(kind, n, d, params))


def plan_indexes(kind: str, n: int, dims: dict[str, int], budget_bytes: int | None = None) -> dict[str, IndexChoice]:
    """``--index KIND`` for dense signals: "auto" chooses per signal; any other kind is used for every one."""
    if kind == "auto":
        return choose_indexes(n, dims, budget_bytes)
    return fixed_plan({name: requested_kind(kind, n, d) for name, d in dims.items()}, budget_bytes)


def fixed_plan(picks: dict[str, StoreCandidate], budget_bytes: int | None = None) -> dict[str, IndexChoice]:
    """Choices made without a search (explicitly requested kinds), flagged if over the budget together."""
    total = sum(c.estimated_bytes for c in picks.values())
    over = budget_bytes is not None and total > budget_bytes
    return {name: IndexChoice(c.kind, dict(c.params), c.reason, c.estimated_bytes, budget_bytes, over)
            for name, c in picks.items()}


def build_store(
    name: str,
    vectors: np.ndarray,
    kind: str = "flat",
    params: dict | None = None,
    budget_bytes: int | None = None,
    choice: IndexChoice | None = None,
) -> tuple[ModalityStore, IndexChoice]:
    """Build one modality's store of ``kind`` ("auto" chooses), or as ``choice`` (from
    ``plan_indexes``) says; returns it and the choice record."""
    n, d = vectors.shape
    if choice is not None:
        choice = IndexChoice(**choice.to_dict())
    elif kind == "auto":
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
    from ytrec.index.registry import store_class

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


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_bytes(text: str) -> int:
    """'1.5GB', '800M', '2GiB', '123456' -> bytes (GB/MB decimal, GiB/MiB binary)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text or "")
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise ArtifactError(f"cannot read memory budget {text!r}: use e.g. 1.5GB, 800MB or a byte count")
    return int(float(match.group(1)) * _UNITS[unit])
