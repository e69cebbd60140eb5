"""Validation of recommendation requests, with messages a user can act on."""

from __future__ import annotations

import math

from ytrec.errors import QueryError

MODES = ("hybrid", "thumbnail", "title", "title_dense", "title_lexical", "thumbnail_copy")
MAX_K = 100

# Which modalities each mode scores with. ``hybrid`` is everything the bundle has; ``title`` is
# every title signal it has (dense embedding + lexical n-grams); title_dense/title_lexical isolate
# one; thumbnail_copy finds re-uploads of a picture (copy fingerprints, not the autoencoder's style).
_MODE_MODALITIES = {
    "thumbnail_copy": ("thumbnail_copy",),
    "thumbnail": ("thumbnail",),
    "title": ("title", "title_lexical"),
    "title_dense": ("title",),
    "title_lexical": ("title_lexical",),
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
    if mode not in MODES:
        raise QueryError(f"unknown mode '{mode}' (choose from {', '.join(MODES)})")
    if mode == "hybrid":
        return list(available)
    chosen = [m for m in _MODE_MODALITIES[mode] if m in available]
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


def given_weights(
    thumbnail: float | None, title: float | None, title_lexical: float | None = None
) -> dict[str, float] | None:
    """Weights as a surface receives them (--w-* flags, w_* query parameters): None, meaning the
    bundle's defaults, unless one is given; then every modality left out weighs 0."""
    given = {"thumbnail": thumbnail, "title": title, "title_lexical": title_lexical}
    return {name: value for name, value in given.items() if value is not None} or None
