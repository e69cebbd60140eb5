"""``ytrec tune``: choose the fusion method and weights by nDCG@k on a validation split.

Queries (judgeable videos) are split, seeded, into validation and held-out halves. Every method
in the registry is tried with every weighting on a simplex grid (``step``; a weight of 0 drops a
modality); the best by mean validation nDCG@k wins, the bundle's current setting winning ties.
The choice is reported before/after on the held-out half, which took no part in choosing.
Candidate pools and their pairwise similarities are computed once per query and reused for every
setting, through the same ``Recommender.order_pool`` that serves requests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ytrec.core.recommender import Pool, Recommender, candidate_sources
from ytrec.eval.metrics import ndcg_at_k
from ytrec.eval.relevance import LabelRelevance
from ytrec.errors import QueryError
from ytrec.fusion.registry import fusion_names, get_fusion

Log = Callable[[str], None]


@dataclass
class TuneConfig:
    label: str = "channel"
    k: int = 10
    validation_share: float = 0.5
    seed: int = 0
    step: float = 0.1
    sample: int | None = None  # judgeable videos to use; None: all


def weight_grid(modalities: list[str], step: float) -> list[dict[str, float]]:
    """Every weighting of ``modalities`` in multiples of ``step`` that sums to 1."""
    units = round(1 / step)
    if units < 1 or not np.isclose(units * step, 1.0):
        raise QueryError(f"step must divide 1 (0.5, 0.25, 0.1, ...), got {step}")
    grid = []
    for parts in itertools.product(range(units + 1), repeat=len(modalities)):
        if sum(parts) == units:
            grid.append({m: round(p / units, 6) for m, p in zip(modalities, parts)})
    return grid


class _Cached:
    """One query's candidate pool and pairwise similarities, computed once."""

    def __init__(self, recommender: Recommender, row: int, k: int) -> None:
        stores = recommender.bundle.stores
        modalities = recommender.bundle.modalities
        probes = {m: [(store.row_query(row), 1.0)] for m, store in stores.items()}
        # searched as serving searches (a copy code scores the pool, it does not fill it); every
        # other signal searches, whatever a setting's weights, so one pool serves every setting
        self.pool: Pool = recommender.pool(probes, candidate_sources(modalities), k * recommender.oversample, [row],
                                           query_scale=recommender.calibration.scale_of_rows([row]))
        diversity = recommender.diversity
        self.pairwise = recommender.pairwise(self.pool.rows, diversity, modalities) if diversity.needs_pairwise else {}
        self.neighbours = None
        if recommender.expansion:  # pool-to-pool similarities in every signal, for query expansion
            full = {m: np.asarray(self.pairwise[m]) if m in self.pairwise else stores[m].pairwise(self.pool.rows)
                    for m in modalities}
            self.neighbours = lambda idx, names: {m: full[m][idx] for m in names}


def tune(recommender: Recommender, config: TuneConfig, log: Log = print) -> dict:
    """The best (method, weights) and before/after metrics; does not write anything."""
    relevance = LabelRelevance.from_catalog(
        recommender.catalog, config.label, recommender.bundle.manifest["source"].get("columns")
    )
    queries = relevance.queries(config.sample, config.seed)
    if len(queries) < 2:
        raise QueryError("tuning needs at least two judgeable videos")
    validation, heldout = relevance.split(queries, config.validation_share, config.seed)
    modalities = recommender.bundle.modalities
    log(f"tuning on {len(validation)} validation queries ({len(heldout)} held out), {len(modalities)} modalities")
    cache = {row: _Cached(recommender, row, config.k) for row in queries}

    def score(method: str, weights: dict[str, float], rows: list[int]) -> float:
        strategy = get_fusion(method)
        values = []
        for row in rows:
            cached = cache[row]
            order, _, _ = recommender.order_pool(
                cached.pool, modalities, config.k, weights, strategy, recommender.diversity, cached.pairwise, True,
                cached.neighbours,
            )
            relevant = relevance.relevant(row)
            values.append(ndcg_at_k([int(cached.pool.rows[i]) in relevant for i in order], len(relevant), config.k))
        return float(np.mean(values))

    current = (recommender.fusion.name, recommender.resolve_weights(None, modalities))
    settings = [current] + [(m, w) for m in fusion_names() for w in weight_grid(modalities, config.step)]
    best, best_score = current, -1.0
    for method, weights in settings:
        value = score(method, weights, validation)
        if value > best_score + 1e-12:
            best, best_score = (method, weights), value
    metric = f"ndcg@{config.k}"

    def describe(setting: tuple[str, dict[str, float]]) -> dict:
        method, weights = setting
        return {"method": method, "weights": weights,
                f"validation_{metric}": score(method, weights, validation),
                f"heldout_{metric}": score(method, weights, heldout)}

    return {
        "label": config.label, "k": config.k, "seed": config.seed, "step": config.step,
        "validation_queries": len(validation), "heldout_queries": len(heldout), "settings_tried": len(settings),
        "before": describe(current), "after": describe(best),
    }


def apply_tuning(manifest: dict, result: dict) -> dict:
    """The manifest with the tuned method and weights as the bundle's defaults (and a record of why)."""
    fusion = dict(manifest["fusion"])
    fusion["method"] = result["after"]["method"]
    fusion["weights"] = dict(result["after"]["weights"])
    fusion["tuned"] = result
    return {**manifest, "fusion": fusion}
