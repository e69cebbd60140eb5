"""Query thumbnails with their nearest neighbours by one signal: what an encoder captures, to look at.

Numbers say how often neighbours share a label; a grid of pictures shows *why* (colour, layout,
faces, text) and where the encoder is fooled. The report draws it (``eval/report.py``).
"""

from __future__ import annotations

import numpy as np

from ytrec.core.recommender import Recommender
from ytrec.eval.relevance import LabelRelevance

GRID_QUERIES = 8
GRID_NEIGHBOURS = 6


def neighbour_grid(
    recommender: Recommender,
    relevance: LabelRelevance,
    queries: list[int],
    signal: str = "thumbnail",
    n_queries: int = GRID_QUERIES,
    k: int = GRID_NEIGHBOURS,
    seed: int = 0,
) -> dict | None:
    """Seeded query rows (one per label first, so the grid spans the catalog) and each one's ``k``
    nearest other videos by ``signal``; None when the bundle has no such signal or no thumbnails."""
    bundle = recommender.bundle
    if signal not in bundle.stores or not bundle.has_thumbnails or not queries:
        return None
    store = bundle.stores[signal]
    chosen = _spread(queries, relevance.labels, n_queries, seed)
    rows = []
    for row in chosen:
        scores, found = store.search(store.row_query(row), k + 1)
        neighbours = [(int(r), float(s)) for r, s in zip(found[0], scores[0]) if r >= 0 and r != row][:k]
        relevant = relevance.relevant(row)
        rows.append({
            "video_id": recommender.catalog.video_ids[row],
            "label": relevance.labels[row],
            "thumbnail": str(bundle.thumbnail_path(row)),
            "neighbours": [
                {"video_id": recommender.catalog.video_ids[r], "label": relevance.labels[r], "score": round(s, 4),
                 "relevant": r in relevant, "thumbnail": str(bundle.thumbnail_path(r))}
                for r, s in neighbours
            ],
        })
    return {"signal": signal, "k": k, "label": relevance.name, "rows": rows}


def _spread(queries: list[int], labels: list[str | None], n: int, seed: int) -> list[int]:
    """Up to ``n`` rows in seeded order, taking one row of each label before any second one."""
    order = np.random.default_rng(seed).permutation(queries).tolist()
    first, seen = [], set()
    for row in order:
        if labels[row] not in seen:
            seen.add(labels[row])
            first.append(row)
    rest = [row for row in order if row not in set(first)]
    return (first + rest)[:n]
