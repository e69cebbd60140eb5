"""The signal registry: every signal spec by name, in the order bundles list them."""

from __future__ import annotations

from ytrec.errors import QueryError
from ytrec.signals.base import SignalSpec

SIGNALS: dict[str, SignalSpec] = {}


def register_signal(spec: SignalSpec) -> SignalSpec:
    """Add a spec (a module-level ``register_signal(MySignal())`` in the signal's module)."""
    SIGNALS[spec.name] = spec
    return spec


def get_signal(name: str) -> SignalSpec:
    if name not in SIGNALS:
        raise QueryError(f"unknown signal '{name}' (known: {', '.join(SIGNALS)})")
    return SIGNALS[name]


def signals_for(names) -> list[SignalSpec]:
    """The specs of the given signal names (a bundle's modalities), in the given order; names
    this ytrec does not know are left out."""
    return [SIGNALS[n] for n in names if n in SIGNALS]


def signals_for_source(source: str) -> list[SignalSpec]:
    """Every signal that reads ``source`` ("thumbnail" or "title")."""
    return [s for s in SIGNALS.values() if s.source == source]


def default_weights() -> dict[str, float]:
    return {s.name: s.default_weight for s in SIGNALS.values()}


def duplicate_thresholds() -> dict[str, float]:
    """Similarity at which two videos count as one, for the signals that can tell."""
    return {s.name: s.duplicate_threshold for s in SIGNALS.values() if s.duplicate_threshold is not None}


def query_modes() -> tuple[str, ...]:
    """Every query mode: ``hybrid`` (all signals) and each mode some signal belongs to."""
    modes = ["hybrid"]
    for spec in SIGNALS.values():
        modes += [m for m in spec.modes if m not in modes]
    return tuple(modes)


def mode_signals(mode: str) -> tuple[str, ...]:
    """The signals a mode other than hybrid scores with."""
    return tuple(s.name for s in SIGNALS.values() if mode in s.modes)


def weight_flags() -> dict[str, str]:
    """Signal name -> its weight flag (``--w-<flag>``, ``w_<flag>``)."""
    return {s.name: s.weight_flag for s in SIGNALS.values()}
