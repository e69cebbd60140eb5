"""Validation of recommendation requests, with messages a user can act on."""

from __future__ import annotations

import math

from ytrec.errors import QueryError
from ytrec.signals import mode_signals, query_modes, weight_flags

# ``hybrid`` scores with every signal the bundle has; each other mode with the signals whose spec
# lists it (``title``: every title signal; title_dense / title_lexical isolate one; thumbnail_copy
# finds re-uploads of a picture, not the autoencoder's style): see ``ytrec.signals``.
MODES = query_modes()
MAX_K = 100

# Modes whose index returns only real matches, so a list may be shorter than k: padding it with
# videos the signal does not relate to the query would list non-copies as copies.
SHORT_LIST_REASONS = {
    "thumbnail_copy": "thumbnail_copy lists only videos whose thumbnail may be a copy of this one",
    "title_lexical": "title_lexical lists only videos whose titles share a word with this one",
}


def check_k(k: int, available: int) -> int:
    upper = min(MAX_K, available)
    if upper < 1:
        raise QueryError("the catalog has no other video to recommend")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= upper:
        raise QueryError(f"k must be an integer between 1 and {upper}, got {k!r}")
    return k


def active_modalities(mode: str, available: list[str]) -> list[str]:
    """Modalities that score a request: hybrid uses every one the bundle has."""
    modes = query_modes()
    if mode not in modes:
        raise QueryError(f"unknown mode '{mode}' (choose from {', '.join(modes)})")
    if mode == "hybrid":
        return list(available)
    chosen = [m for m in mode_signals(mode) if m in available]
    if not chosen:
        raise QueryError(f"mode '{mode}' is unavailable: this bundle has only {', '.join(available)}")
    return chosen


def check_weights(weights: dict[str, float], modalities: list[str], known: list[str]) -> dict[str, float]:
    """Weights of the active modalities; weights of modalities the mode leaves out are ignored."""
    unknown = set(weights) - set(known)
    if unknown:
        raise QueryError(f"weights given for {sorted(unknown)}; this bundle has {', '.join(known)}")
    for name, value in weights.items():
        if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value) or value < 0:
            raise QueryError(f"weight for {name} must be a finite number >= 0, got {value!r}")
    if sum(weights.get(m, 0.0) for m in modalities) <= 0:
        raise QueryError("at least one weight must be positive")
    return {m: float(weights.get(m, 0.0)) for m in modalities}


def weights_from_flags(values: dict[str, float | None]) -> dict[str, float] | None:
    """Weights as a surface receives them, keyed by each signal's ``weight_flag`` (--w-lexical,
    w_lexical): None, meaning the bundle's defaults, unless one is given; then every signal left
    out weighs 0."""
    given = {name: values.get(flag) for name, flag in weight_flags().items()}
    return {name: value for name, value in given.items() if value is not None} or None


def short_list_note(mode: str, k: int, listed: int) -> str | None:
    """What a surface says when a list has fewer than ``k`` results because of its mode (None
    when the list is full or the mode always fills it)."""
    if listed >= k or mode not in SHORT_LIST_REASONS:
        return None
    return f"{listed} of {k} results: {SHORT_LIST_REASONS[mode]}"
