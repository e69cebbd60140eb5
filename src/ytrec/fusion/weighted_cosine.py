"""Weighted mean of raw cosine similarities.

Raw cosines are comparable across modalities only when their neighbour similarities live in
similar ranges (true of our two dense embeddings, less so of the lexical TF-IDF signal, whose
cosines are lower); dividing by the weight sum keeps the score in [-1, 1] whatever the weights.
"""

from __future__ import annotations

import numpy as np

from ytrec.fusion.base import FusionStrategy


class WeightedCosine(FusionStrategy):
    name = "weighted_cosine"

    def contributions(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> dict[str, np.ndarray]:
        total = sum(weights[m] for m in scores)
        return {m: np.asarray(weights[m] * scores[m], dtype=np.float32) / total for m in scores}
