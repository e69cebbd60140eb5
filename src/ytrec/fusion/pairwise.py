"""Candidate-to-candidate similarities, computed only for the candidates a diversity step asks about.

Duplicate collapse needs the similarities among the first few candidates of a list, MMR among
all survivors; neither needs the full (n, n) matrices of every modality, and a store's pairwise
product is the costly part of both. ``Pairwise`` hands out (L, L) blocks for given candidate
indices, either cut from precomputed matrices (tuning caches them per query) or asked of a
function (the Recommender asks the stores for just those rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

BlockFn = Callable[[str, np.ndarray], np.ndarray]


class Pairwise:
    """Per-modality (L, L) similarity blocks among candidate indices (positions in the pool)."""

    def __init__(self, modalities: Iterable[str], block: BlockFn) -> None:
        self.modalities = list(modalities)
        self._block = block

    @classmethod
    def of(cls, source: "Pairwise | Mapping[str, object]") -> "Pairwise":
        """``source`` as a Pairwise: matrices (or row-indexable objects) per modality are cut to blocks."""
        if isinstance(source, Pairwise):
            return source
        return cls(source, lambda m, idx: submatrix(source[m], idx))

    def __contains__(self, modality: str) -> bool:
        return modality in self.modalities

    def among(self, modality: str, idx: np.ndarray) -> np.ndarray:
        """(L, L) similarities of candidates ``idx`` to each other in ``modality``."""
        return self._block(modality, np.asarray(idx, dtype=np.int64))


def submatrix(similarity, idx: np.ndarray) -> np.ndarray:
    """``similarity[idx][:, idx]`` for a matrix, or for an object that gives rows on demand
    (``PairwiseRows``): only the asked rows are then computed."""
    if getattr(similarity, "ndim", None) == 2:
        return np.asarray(similarity)[np.ix_(idx, idx)]
    if not len(idx):
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([np.asarray(similarity[int(i)])[idx] for i in idx])
