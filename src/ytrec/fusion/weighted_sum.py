"""Weighted mean of min-max normalized similarities.

Normalization: within one candidate set, each modality's similarities are rescaled so that its
best candidate scores 1 and its worst 0 (a modality that scores every candidate alike gives 0 to
all). This removes the difference in *range* between signals (dense cosines cluster around
0.3-0.9, lexical TF-IDF cosines around 0-0.5), so a weight means the same for every modality.
The price: the scale depends on the candidate set, so scores of different queries are not
comparable.
"""

from __future__ import annotations

import numpy as np

from ytrec.fusion.base import FusionStrategy


def min_max(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float32)
    if values.size == 0:
        return values
    low, span = values.min(), values.max() - values.min()
    return (values - low) / span if span > 0 else np.zeros_like(values)


class WeightedSum(FusionStrategy):
    name = "weighted_sum"

    def contributions(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> dict[str, np.ndarray]:
        total = sum(weights[m] for m in scores)
        return {m: weights[m] * min_max(scores[m]) / total for m in scores}
