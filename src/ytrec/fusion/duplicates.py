"""Collapse near-duplicates (re-uploads, Shorts cut from a video) to their best-ranked copy.

A candidate is a duplicate of an earlier one when, in *any* modality with a threshold, their
similarity reaches it: the same thumbnail re-encoded, or the same title under another id.
Thresholds are per modality because similarity scales differ (see ``DUPLICATE_THRESHOLDS``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from ytrec.fusion.pairwise import Pairwise
from ytrec.signals import duplicate_thresholds

# Each signal that can tell two videos are one states its threshold in its spec (``ytrec.signals``:
# lexical titles 0.99, copy codes as measured on thumbs-real); the others have none.
DUPLICATE_THRESHOLDS = duplicate_thresholds()


def collapse_duplicates(
    order: Sequence[int] | np.ndarray,
    similarity: Pairwise | Mapping[str, object],
    thresholds: dict[str, float],
    drop: np.ndarray | None = None,
    limit: int | None = None,
) -> list[int]:
    """``order`` without candidates too similar to an earlier kept one (the first ``limit`` kept).

    ``similarity``: per modality, the pairwise similarities of the n candidates (an (n, n) matrix,
    anything indexable by row, or a ``Pairwise``);
    ``drop`` marks candidates to leave out from the start (e.g. copies of the query video).
    With a ``limit``, only a prefix of the order is compared (twice the limit, grown while
    duplicates leave it short), so a query pays for about 2k rows of similarities, not n².
    """
    order = np.asarray(order, dtype=np.int64)
    if drop is not None:
        order = order[~np.asarray(drop, dtype=bool)[order]]
    pairwise = Pairwise.of(similarity)
    used = {m: t for m, t in thresholds.items() if m in pairwise}
    if not used:
        return order[:limit].tolist()
    size = len(order) if limit is None else min(len(order), 2 * limit)
    while True:
        prefix = order[:size]
        duplicate = np.zeros((size, size), dtype=bool)
        for m, threshold in used.items():
            duplicate |= pairwise.among(m, prefix) >= threshold
        duplicate &= _later(size)
        kept = prefix[greedy_survivors(duplicate)] if duplicate.any() else prefix
        if limit is None or len(kept) >= limit or size == len(order):
            return kept[:limit].tolist()
        size = min(len(order), 2 * size)


@lru_cache(maxsize=64)
def _later(size: int) -> np.ndarray:
    """(size, size) mask of j < i pairs (strictly above the diagonal), made once per size."""
    mask = ~np.tri(size, size, 0, dtype=bool)
    mask.flags.writeable = False
    return mask


def greedy_survivors(duplicate: np.ndarray) -> np.ndarray:
    """Mask of the candidates kept when walking the list in order and dropping every later
    duplicate of a kept one; ``duplicate[j, i]`` (j < i only) says i duplicates j.

    Candidate i survives iff no *surviving* earlier j duplicates it. Iterating that rule from
    "all survive" fixes the candidates with no earlier duplicate in one step, those whose
    duplicates are all settled in the next, and so on: as many matrix-vector steps as the longest
    chain of duplicates (one or two in practice), instead of a Python step per candidate.
    """
    survives = np.ones(len(duplicate), dtype=bool)
    hits = duplicate.astype(np.int32)  # counts, not flags: no overflow
    while True:
        update = (survives.astype(np.int32) @ hits) == 0
        if np.array_equal(update, survives):
            return survives
        survives = update
