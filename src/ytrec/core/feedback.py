"""Several examples at once: liked videos pull, disliked videos push, per modality.

A request's score in modality ``m`` for candidate ``c`` is
``lw_m · mean_{l ∈ liked} sim_m(l, c) − dw_m · mean_{d ∈ disliked} sim_m(d, c)``
(Rocchio's rule, applied to similarities so it works for every store kind, sparse or dense).
Per-modality weights say *what* about the examples matters: ``like_weights={"thumbnail": 1,
"title": 0}`` with the same video disliked at ``{"title": 1}`` reads "this thumbnail style, not
this topic". A modality whose like and dislike weights are both 0 does not score.
"""

from __future__ import annotations

from typing import Any

from ytrec.errors import QueryError
from ytrec.index.base import ModalityStore

Probe = list[tuple[Any, float]]  # (store query, coefficient) pairs whose similarities are summed


def feedback_probes(
    stores: dict[str, ModalityStore],
    modalities: list[str],
    liked: list[int],
    disliked: list[int],
    like_weights: dict[str, float] | None = None,
    dislike_weights: dict[str, float] | None = None,
) -> dict[str, Probe]:
    """Per-modality probes for the active ``modalities``; weights default to 1 per modality."""
    if not liked:
        raise QueryError("give at least one liked video (disliked videos alone do not say what to find)")
    overlap = set(liked) & set(disliked)
    if overlap and like_weights is None and dislike_weights is None:
        raise QueryError("a video is both liked and disliked with the same weights: give per-modality weights")
    for label, given in (("like", like_weights), ("dislike", dislike_weights)):
        for m, w in (given or {}).items():
            if m not in stores:
                raise QueryError(f"{label} weight given for '{m}'; this bundle has {', '.join(stores)}")
            if not isinstance(w, (int, float)) or not 0 <= w < float("inf"):
                raise QueryError(f"{label} weight for {m} must be a finite number >= 0, got {w!r}")
    probes: dict[str, Probe] = {}
    for m in modalities:
        lw = (like_weights or {}).get(m, 1.0)
        dw = (dislike_weights or {}).get(m, 1.0) if disliked else 0.0
        probe = [(stores[m].row_query(r), lw / len(liked)) for r in liked if lw > 0]
        probe += [(stores[m].row_query(r), -dw / len(disliked)) for r in disliked if dw > 0]
        if probe:
            probes[m] = probe
    if not any(c > 0 for probe in probes.values() for _, c in probe):
        raise QueryError("every like weight is 0 for the active modalities: nothing to look for")
    return probes
