"""Ranking metrics at a cutoff, for one query at a time, with binary relevance.

``hits`` is the ranked list's relevance (``hits[i]`` is True when the item at rank ``i + 1`` is
relevant), as long as the system returned; ``n_relevant`` counts every relevant item of the
query in the catalog. A list shorter than ``k`` is scored as if padded with irrelevant items.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _top(hits: Sequence[bool], k: int) -> np.ndarray:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return np.asarray(hits[:k], dtype=bool)


def precision_at_k(hits: Sequence[bool], k: int) -> float:
    return float(_top(hits, k).sum() / k)


def recall_at_k(hits: Sequence[bool], n_relevant: int, k: int) -> float:
    return float(_top(hits, k).sum() / n_relevant) if n_relevant else 0.0


def ndcg_at_k(hits: Sequence[bool], n_relevant: int, k: int) -> float:
    """DCG with gain 1 and discount ``log2(rank + 1)``, over the DCG of a perfect list."""
    top = _top(hits, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = discounts[: min(n_relevant, k)].sum()
    return float((discounts[: len(top)] * top).sum() / ideal) if ideal else 0.0


def reciprocal_rank(hits: Sequence[bool], k: int) -> float:
    """1 / rank of the first relevant item within ``k`` (its mean over queries is MRR@k)."""
    top = _top(hits, k)
    return float(1.0 / (np.argmax(top) + 1)) if top.any() else 0.0


def hit_rate(hits: Sequence[bool], k: int) -> float:
    return float(_top(hits, k).any())


def coverage(lists: Sequence[Sequence[int]], catalog_size: int, k: int) -> float:
    """Share of the catalog that appears in at least one top-``k`` list."""
    return len({row for ranked in lists for row in ranked[:k]}) / catalog_size


def intra_list_distance(pairwise: np.ndarray) -> float:
    """Mean cosine distance ``1 - sim`` over the distinct pairs of one list (0 for < 2 items)."""
    n = len(pairwise)
    if n < 2:
        return 0.0
    upper = np.triu_indices(n, 1)
    return float(np.mean(1.0 - np.asarray(pairwise)[upper]))


def same_label_share(labels: Sequence[object], label: object, k: int) -> float:
    """Share of the top-``k`` results carrying ``label`` (e.g. the query's own channel)."""
    top = list(labels[:k])
    return sum(1 for value in top if value == label) / len(top) if top else 0.0
