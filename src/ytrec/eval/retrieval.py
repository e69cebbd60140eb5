"""One evaluator: ranking quality of a system on label-relevance queries, as a metrics dict.

Modelled on sentence-transformers' evaluators: built once with the queries and judgments, called
on each system, returns ``{"ndcg@10": ..., ...}``. Beside relevance it reports what a list
looks like: catalog coverage, intra-list distance in each modality, and the share of results
from the query's own channel.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ytrec.eval import metrics
from ytrec.eval.relevance import LabelRelevance
from ytrec.eval.systems import System

Pairwise = Callable[[np.ndarray], dict[str, np.ndarray]]  # rows -> per-modality (n, n) similarities


class RetrievalEvaluator:
    def __init__(
        self,
        relevance: LabelRelevance,
        queries: list[int],
        ks: list[int],
        catalog_size: int,
        channels: list[str | None],
        pairwise: Pairwise | None = None,
    ) -> None:
        self.relevance = relevance
        self.queries = queries
        self.ks = sorted(set(ks))
        self.catalog_size = catalog_size
        self.channels = channels
        self.pairwise = pairwise

    def __call__(self, system: System) -> dict[str, float]:
        started = time.perf_counter()
        top = max(self.ks)
        lists = {row: system.rank(row, top) for row in self.queries}
        elapsed = time.perf_counter() - started
        result: dict[str, float] = {"queries": len(self.queries), "ms_per_query": 1000 * elapsed / len(self.queries)}
        for k in self.ks:
            result.update(self._at(lists, k))
        return result

    def _at(self, lists: dict[int, list[int]], k: int) -> dict[str, float]:
        per_query: dict[str, list[float]] = {}

        def add(name: str, value: float) -> None:
            per_query.setdefault(f"{name}@{k}", []).append(value)

        for row, ranked in lists.items():
            relevant = self.relevance.relevant(row)
            hits = [r in relevant for r in ranked]
            add("precision", metrics.precision_at_k(hits, k))
            add("recall", metrics.recall_at_k(hits, len(relevant), k))
            add("ndcg", metrics.ndcg_at_k(hits, len(relevant), k))
            add("mrr", metrics.reciprocal_rank(hits, k))
            add("hit_rate", metrics.hit_rate(hits, k))
            if self.channels[row] is not None:
                add("own_channel_share", metrics.same_label_share([self.channels[r] for r in ranked], self.channels[row], k))
            if self.pairwise is not None:
                for modality, matrix in self.pairwise(np.array(ranked[:k], dtype=np.int64)).items():
                    add(f"ild_{modality}", metrics.intra_list_distance(matrix))
        result = {name: float(np.mean(values)) for name, values in per_query.items()}
        result[f"coverage@{k}"] = metrics.coverage(list(lists.values()), self.catalog_size, k)
        return result
