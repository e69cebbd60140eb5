"""The ranking systems an evaluation compares, all answering "the k videos most like row r".

Every system sees the same queries and excludes the query video itself (leave-one-out).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from ytrec.core.recommender import Recommender
from ytrec.fusion.diversity import Diversity
from ytrec.index.base import ModalityStore


class System(ABC):
    name: str

    @abstractmethod
    def rank(self, row: int, k: int) -> list[int]:
        """Catalog rows of the top-``k`` recommendations for catalog row ``row``, best first."""


class RecommenderSystem(System):
    """What ``Recommender.similar`` serves with a given mode, fusion, weights and diversity."""

    def __init__(
        self,
        name: str,
        recommender: Recommender,
        mode: str,
        fusion: str | None = None,
        weights: dict[str, float] | None = None,
        diversity: Diversity | None = None,
    ) -> None:
        self.name = name
        self.recommender = recommender
        self.mode = mode
        self.fusion = fusion
        self.weights = weights
        self.diversity = diversity

    def rank(self, row: int, k: int) -> list[int]:
        catalog = self.recommender.catalog
        results = self.recommender.similar(
            catalog.video_ids[row], k=k, mode=self.mode, weights=self.weights,
            fusion=self.fusion, diversity=self.diversity,
        )
        return [catalog.row_of(r.video_id) for r in results]


class OriginalMethod(System):
    """The original project: top-k by plain L2 in each modality, merged as an unordered union.

    Our stored vectors are L2-normalized, where L2 order equals cosine order. The union has no
    order of its own; to score it at k, the modality lists are interleaved (first thumbnail hit,
    first title hit, second thumbnail hit, ...), duplicates dropped, and cut at k, i.e. roughly
    the union of each modality's top k/2.
    """

    name = "original (L2 per modality, set union)"

    def __init__(self, stores: list[ModalityStore]) -> None:
        self.stores = stores

    def rank(self, row: int, k: int) -> list[int]:
        lists = []
        for store in self.stores:
            _, rows = store.search(store.row_query(row), k + 1)
            lists.append([int(r) for r in rows[0] if r >= 0 and r != row][:k])
        merged: dict[int, None] = {}
        for position in range(k):
            for ranked in lists:
                if position < len(ranked):
                    merged.setdefault(ranked[position])
        return list(merged)[:k]


class RandomSystem(System):
    """k other videos drawn at random (seeded per query): the floor every method must clear."""

    name = "random"

    def __init__(self, n_rows: int, seed: int = 0) -> None:
        self.n_rows = n_rows
        self.seed = seed

    def rank(self, row: int, k: int) -> list[int]:
        rng = np.random.default_rng([self.seed, row])
        others = np.delete(np.arange(self.n_rows), row)
        return rng.choice(others, size=min(k, len(others)), replace=False).tolist()


class VectorSystem(System):
    """Exact cosine ranking over precomputed unit rows (the pixel baselines)."""

    def __init__(self, name: str, vectors: np.ndarray) -> None:
        self.name = name
        self.vectors = np.asarray(vectors, dtype=np.float32)

    def rank(self, row: int, k: int) -> list[int]:
        scores = self.vectors @ self.vectors[row]
        scores[row] = -np.inf
        return np.lexsort((np.arange(len(scores)), -scores))[:k].tolist()
