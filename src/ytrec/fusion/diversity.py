"""Diversity settings and the order they apply in: duplicates, channel cap, then MMR.

Duplicates and the cap filter the relevance-ordered candidate pool, so MMR then picks ``k`` from
candidates that already satisfy both; the final list therefore has no near-duplicates and at most
``channel_cap`` videos per channel, whatever λ is. The bundle's defaults live in
``manifest["fusion"]["diversity"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ytrec.errors import QueryError
from ytrec.fusion.channel_cap import cap_per_channel
from ytrec.fusion.duplicates import DUPLICATE_THRESHOLDS, collapse_duplicates
from ytrec.fusion.mmr import mmr
from ytrec.fusion.pairwise import Pairwise


@dataclass(frozen=True)
class Diversity:
    mmr_lambda: float | None = None  # None: no MMR (pure relevance order)
    channel_cap: int | None = None  # None: no cap
    collapse_duplicates: bool = True
    duplicate_thresholds: dict[str, float] = field(default_factory=lambda: dict(DUPLICATE_THRESHOLDS))

    def __post_init__(self) -> None:
        if self.mmr_lambda is not None and not 0.0 <= self.mmr_lambda <= 1.0:
            raise QueryError(f"MMR lambda must be between 0 and 1, got {self.mmr_lambda}")
        if self.channel_cap is not None and self.channel_cap < 1:
            raise QueryError(f"channel cap must be at least 1, got {self.channel_cap}")

    @property
    def needs_pairwise(self) -> bool:
        """Whether candidate-to-candidate similarities are needed (they cost a little)."""
        return self.collapse_duplicates or self.mmr_lambda is not None

    def with_overrides(
        self, mmr_lambda: float | None = None, channel_cap: int | None = None, collapse: bool | None = None
    ) -> "Diversity":
        """These settings with the given ones replaced (None keeps the current value)."""
        changes = {"mmr_lambda": mmr_lambda, "channel_cap": channel_cap, "collapse_duplicates": collapse}
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Diversity":
        return cls(**(data or {}))

    def apply(
        self,
        relevance: np.ndarray,
        pairwise: Pairwise | Mapping[str, object],
        weights: dict[str, float],
        channels: Sequence[str | None] | np.ndarray,
        k: int,
        drop: np.ndarray | None = None,
    ) -> list[int]:
        """Indices of the ``k`` candidates to list, in list order.

        ``pairwise``: candidate similarities per modality ((n, n) matrices or a ``Pairwise`` that
        computes the blocks asked for); MMR uses their weighted mean with the fusion ``weights``.
        ``channels``: per candidate, labels or integer codes (see ``cap_per_channel``).
        ``drop``: candidates that duplicate the query itself.
        """
        relevance = np.asarray(relevance)
        order = np.argsort(-relevance, kind="stable")  # ties keep candidate order
        pairwise = Pairwise.of(pairwise)
        if self.collapse_duplicates:
            # without a cap or MMR, the first k survivors are the list: stop collapsing there
            last_step = self.channel_cap is None and self.mmr_lambda is None
            order = collapse_duplicates(order, pairwise, self.duplicate_thresholds, drop, k if last_step else None)
        if self.channel_cap is not None:
            order = cap_per_channel(order, channels, self.channel_cap)
        if self.mmr_lambda is None or not len(order):
            return np.asarray(order[:k], dtype=np.int64).tolist()
        idx = np.asarray(order, dtype=np.int64)
        total = sum(weights[m] for m in pairwise.modalities if m in weights) or 1.0
        similarity = sum(weights.get(m, 0.0) * pairwise.among(m, idx) for m in pairwise.modalities) / total
        return [int(idx[i]) for i in mmr(relevance[idx], np.asarray(similarity), k, self.mmr_lambda)]
