"""Matching across scripts: a title in one script against the catalog's titles in another.

A channel that titles some videos in Sinhala and others in English should still be found from
either side. Character n-grams cannot do that (two scripts share no letters; only digits, names
in Latin script and punctuation overlap), so the lexical signal is expected near the random
floor; only a multilingual dense model can place "ක්‍රිකට්" near "cricket". This measures what
each title signal of the bundle gives, per ordered pair of scripts.

Queries: every title of script A whose label (e.g. channel) has titles in script B; candidates:
only the script-B titles; relevant: those with the query's label.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ytrec.core.recommender import Recommender
from ytrec.errors import QueryError
from ytrec.eval.metrics import hit_rate, ndcg_at_k
from ytrec.eval.relevance import LabelRelevance
from ytrec.signals import signals_for

MIN_SCRIPT_ROWS = 20  # scripts with fewer titles are left out (too few queries to say anything)

Log = Callable[[str], None]


def cross_script(
    recommender: Recommender,
    relevance: LabelRelevance,
    script_column: str,
    k: int = 10,
    seed: int = 0,
    log: Log = print,
) -> dict:
    """nDCG@k and hit rate@k of each title signal (and a random floor) for every ordered script pair."""
    catalog = recommender.catalog
    if script_column not in catalog.table.column_names:
        raise QueryError(f"the catalog has no column '{script_column}' (columns: {', '.join(catalog.table.column_names)})")
    scripts = np.array([str(s) if s is not None else "" for s in catalog.column(script_column)])
    labels = relevance.labels
    names, counts = np.unique(scripts[scripts != ""], return_counts=True)
    kept = [str(n) for n, c in sorted(zip(names, counts), key=lambda nc: -nc[1]) if c >= MIN_SCRIPT_ROWS]
    title_specs = [s for s in signals_for(recommender.bundle.modalities) if s.source == "title"]
    pairs = []
    for source in kept:
        for target in kept:
            if source == target:
                continue
            candidates = np.flatnonzero(scripts == target)
            target_labels = {labels[r] for r in candidates if labels[r] is not None}
            queries = [int(r) for r in np.flatnonzero(scripts == source) if labels[r] is not None and labels[r] in target_labels]
            if not queries:
                continue
            log(f"cross-script: {source} -> {target}, {len(queries)} queries over {len(candidates)} titles")
            entry = {"from": source, "to": target, "queries": len(queries), "candidates": len(candidates), "systems": {}}
            for spec in title_specs:
                store = recommender.bundle.stores[spec.name]
                entry["systems"][spec.method] = _score(
                    queries, candidates, labels, k, lambda q: store.similarity(store.row_query(q), candidates))
            rng = np.random.default_rng(seed)
            entry["systems"]["random"] = _score(queries, candidates, labels, k, lambda q: rng.random(len(candidates)))
            pairs.append(entry)
    return {"column": script_column, "label": relevance.name, "k": k, "pairs": pairs}


def _score(queries: list[int], candidates: np.ndarray, labels: list, k: int, similarity) -> dict[str, float]:
    ndcg, hits = [], []
    for query in queries:
        scores = np.asarray(similarity(query), dtype=np.float64)
        order = candidates[np.lexsort((candidates, -scores))[:k]]
        relevant = [labels[r] == labels[query] for r in order]
        n_relevant = int(sum(labels[r] == labels[query] for r in candidates))
        ndcg.append(ndcg_at_k(relevant, n_relevant, k))
        hits.append(hit_rate(relevant, k))
    return {f"ndcg@{k}": float(np.mean(ndcg)), f"hit_rate@{k}": float(np.mean(hits))}
