"""Maximal marginal relevance: trade relevance against similarity to what is already listed.

``MMR(i) = λ · rel(i) − (1 − λ) · max_{j ∈ listed} sim(i, j)``. Relevance is min-max scaled to
[0, 1] within the candidate set first, so λ means the same whatever the fusion method's score
scale (RRF scores are ~0.01, cosines ~0.5). λ = 1 is plain relevance order.
"""

from __future__ import annotations

import numpy as np

from ytrec.fusion.weighted_sum import min_max


def mmr(relevance: np.ndarray, similarity: np.ndarray, k: int, lam: float) -> list[int]:
    """Indices of ``k`` candidates in MMR order; ``similarity`` is the (n, n) pairwise matrix."""
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"MMR lambda must be in [0, 1], got {lam}")
    rel = min_max(relevance)
    n = len(rel)
    chosen: list[int] = []
    penalty = np.zeros(n, dtype=np.float32)  # max similarity to the chosen ones (none yet: 0)
    available = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        gain = np.where(available, lam * rel - (1 - lam) * penalty, -np.inf)
        best = int(np.argmax(gain))  # first maximum: ties keep relevance order
        penalty = similarity[best] if not chosen else np.maximum(penalty, similarity[best])
        chosen.append(best)
        available[best] = False
    return chosen
