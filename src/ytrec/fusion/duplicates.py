"""Collapse near-duplicates (re-uploads, Shorts cut from a video) to their best-ranked copy.

A candidate is a duplicate of an earlier one when, in *any* modality with a threshold, their
similarity reaches it: the same thumbnail re-encoded, or the same title under another id.
Thresholds are per modality because similarity scales differ (see ``DUPLICATE_THRESHOLDS``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Identical titles (up to case, spacing, Unicode form) have lexical cosine 1. Anything lower is
# unsafe: on sl-titles, distinct episodes of a series ("Day 02" / "Day 04", "1 leg" / "2 leg")
# score 0.90-0.98, as high as a re-upload with "#shorts" added (0.88). Thumbnails are compared by
# copy code (index.copy_codes: model-free, same scale in every bundle), never by autoencoder
# cosine (a small model puts whole channels above 0.99). Measured code against code (what
# collapse compares): no two distinct thumbnails of thumbs-real exceed 0.26, while the synthetic
# sample's same-template thumbnails reach 0.906 (1 pair of 64,620 at or above 0.9); copies that are
# rescaled, brightened, re-encoded, captioned or mirrored score a median 0.97-1.0 and 0.92-1.0 at
# their 5th percentile on thumbs-real. 0.92 keeps every distinct pair apart and collapses about
# 95% of those copies; re-crops change the code and are found at query time instead.
DUPLICATE_THRESHOLDS = {"title_lexical": 0.99, "thumbnail_copy": 0.92}


def collapse_duplicates(
    order: Sequence[int],
    similarity: dict[str, np.ndarray],
    thresholds: dict[str, float],
    drop: np.ndarray | None = None,
    limit: int | None = None,
) -> list[int]:
    """``order`` without candidates too similar to an earlier kept one (the first ``limit`` kept).

    ``similarity[m][i]`` is row i of the (n, n) pairwise similarities of the n candidates in
    modality ``m`` (a matrix, or anything indexable by row);
    ``drop`` marks candidates to leave out from the start (e.g. copies of the query video).
    """
    used = {m: t for m, t in thresholds.items() if m in similarity}
    if drop is None:
        if not used:
            return list(order)[:limit]
        drop = np.zeros(len(similarity[next(iter(used))]), dtype=bool)
    dropped = np.array(drop, dtype=bool)
    kept: list[int] = []
    for i in order:
        if limit is not None and len(kept) >= limit:
            break
        if dropped[i]:
            continue
        kept.append(i)
        for m, threshold in used.items():
            dropped |= similarity[m][i] >= threshold
    return kept
