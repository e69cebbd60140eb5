"""Fusion: turn per-modality similarities of a candidate set into one ranking score.

Each strategy is one small module behind this interface (like lancedb's rerankers), chosen by
name from ``fusion.registry``. A strategy states each modality's *contribution* to every
candidate's score; the fused score is their sum, so every result can say which signal drove it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class FusionStrategy(ABC):
    name: str

    @abstractmethod
    def contributions(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> dict[str, np.ndarray]:
        """Each modality's share of the fused score, aligned with the candidates.

        ``scores`` holds aligned per-modality similarity arrays (one entry per candidate);
        ``weights`` has one non-negative entry per key of ``scores``, not all zero.
        """

    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        """The fused score: the sum of the contributions."""
        parts = self.contributions(scores, weights)
        return np.asarray(sum(parts.values()), dtype=np.float32)
