"""Average query expansion over the candidate pool (Chum et al., 2007, applied after fusion).

Videos of one channel form tight groups in every signal, and a query often sits at the edge of
its group: its best few candidates are more central than the query itself. So the ``n`` best
fused candidates act as extra queries: every candidate's score becomes the mean of its fused
similarity to the query and to each of those ``n``. A candidate close to all of them rises; one
that only the query's own quirks favour (a lone thumbnail look-alike) sinks.

Only the pool is re-ordered (nothing new is searched), and each of the ``n`` rows costs one
``similarity`` call per weighted signal over the pool, so ``n`` stays small. Each signal's
contribution is expanded on its own, so contributions still add up to the fused score and every
result still says which signal drove it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ytrec.fusion.base import FusionStrategy

DEFAULT_EXPANSION = 2  # measured on sl-titles, thumbs-real and the sample (README "Evaluation")


def expansion_for(stores: dict, weights: dict[str, float]) -> tuple[int, str]:
    """The expansion a build records, and why: ``DEFAULT_EXPANSION``, or none where a weighted
    signal's store would recompute every expansion row's vector (the lexical store past the size
    where its term vectors fit the memory budget). Measured at 1M videos (bench/query_scale.py):
    the lexical expansion alone took 2.6 ms of a 13 ms query there."""
    recomputing = sorted(name for name, store in stores.items()
                         if weights.get(name, 0) > 0 and getattr(store, "recomputes_rows", False))
    if recomputing:
        return 0, f"off: {', '.join(recomputing)} recomputes each row's vector at this catalog size"
    return DEFAULT_EXPANSION, f"the pool's {DEFAULT_EXPANSION} best candidates expand the query"

# (pool indices of the expansion rows, signals) -> per signal, their (n, P) similarities to every pool candidate
Neighbours = Callable[[np.ndarray, list[str]], dict[str, np.ndarray]]


def expansion_rows(fused: np.ndarray, n: int, drop: np.ndarray | None = None) -> np.ndarray:
    """Pool indices of the ``n`` best fused candidates (ties by position), copies of the query left out."""
    order = np.lexsort((np.arange(len(fused)), -np.asarray(fused)))
    if drop is not None:
        order = order[~drop[order]]
    return order[:n]


def expand(
    parts: dict[str, np.ndarray],
    weights: dict[str, float],
    strategy: FusionStrategy,
    neighbours: Neighbours,
    n: int,
    drop: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Each signal's contribution averaged over the query and the ``n`` best candidates.

    ``parts``: the strategy's contributions for the query (one array per signal over the pool);
    ``neighbours``: similarities of chosen pool candidates to the whole pool, per weighted signal.
    """
    if n < 1 or not parts:
        return parts
    fused = np.asarray(sum(parts.values()), dtype=np.float32)
    rows = expansion_rows(fused, n, drop)
    if not len(rows):
        return parts
    weighted = [m for m in parts if weights.get(m, 0.0) > 0]
    similarities = neighbours(rows, weighted)
    total = {m: np.asarray(c, dtype=np.float32).copy() for m, c in parts.items()}
    for i in range(len(rows)):
        scores = {m: np.asarray(similarities[m][i], dtype=np.float32) for m in weighted}
        for m, contribution in strategy.contributions(scores, {m: weights[m] for m in weighted}).items():
            total[m] += contribution
    return {m: (c / np.float32(1 + len(rows))).astype(np.float32, copy=False) for m, c in total.items()}
