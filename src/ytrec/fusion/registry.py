"""Fusion strategies by name."""

from __future__ import annotations

from ytrec.errors import QueryError
from ytrec.fusion.base import FusionStrategy
from ytrec.fusion.rrf import ReciprocalRank
from ytrec.fusion.weighted_cosine import WeightedCosine
from ytrec.fusion.weighted_sum import WeightedSum

_STRATEGIES: dict[str, type[FusionStrategy]] = {
    cls.name: cls for cls in (WeightedCosine, WeightedSum, ReciprocalRank)
}

DEFAULT_FUSION = WeightedCosine.name


def fusion_names() -> list[str]:
    return sorted(_STRATEGIES)


def get_fusion(name: str) -> FusionStrategy:
    try:
        return _STRATEGIES[name]()
    except KeyError:
        raise QueryError(f"unknown fusion method '{name}' (choose from {', '.join(fusion_names())})") from None
