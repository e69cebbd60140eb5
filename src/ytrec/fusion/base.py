"""Fusion: turn per-modality similarities of a candidate set into one ranking score.

Each strategy is one small module behind this interface (like lancedb's rerankers), chosen by
name from ``fusion.registry``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class FusionStrategy(ABC):
    name: str

    @abstractmethod
    def fuse(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        """Combine aligned per-modality cosine arrays (one entry per candidate) into one score.

        ``weights`` has one non-negative entry per key of ``scores``, not all zero.
        """
