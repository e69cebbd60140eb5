"""Weighted mean of raw cosine similarities.

Raw cosines are comparable across our modalities because both are L2-normalized embeddings
whose neighbour similarities live in similar ranges; dividing by the weight sum keeps the
score in [-1, 1] whatever the weights.
"""

from __future__ import annotations

import numpy as np

from ytrec.fusion.base import FusionStrategy


class WeightedCosine(FusionStrategy):
    name = "weighted_cosine"

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        total = sum(weights[m] for m in scores)
        fused = sum(weights[m] * scores[m] for m in scores)
        return np.asarray(fused, dtype=np.float32) / total
