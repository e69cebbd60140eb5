"""Reciprocal rank fusion: ``sum_m w_m / (K + rank_m)`` over the candidate set.

Uses only the order within each modality, never the score scale, so signals with incomparable
similarity ranges fuse without any normalization. ``K = 60`` is the constant of Cormack et al.
(2009); weights are divided by their sum so scores stay comparable across weightings.
"""

from __future__ import annotations

import numpy as np

from ytrec.fusion.base import FusionStrategy

RRF_K = 60


def ranks(values: np.ndarray) -> np.ndarray:
    """1-based rank of each entry by descending value; ties by position, so ranks are a permutation."""
    order = np.lexsort((np.arange(len(values)), -np.asarray(values)))
    result = np.empty(len(values), dtype=np.int64)
    result[order] = np.arange(1, len(values) + 1)
    return result


class ReciprocalRank(FusionStrategy):
    name = "rrf"

    def contributions(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> dict[str, np.ndarray]:
        total = sum(weights[m] for m in scores)
        return {m: (weights[m] / total / (RRF_K + ranks(scores[m]))).astype(np.float32) for m in scores}
