"""Signals: one spec per similarity a bundle scores with, looked up by name.

    from ytrec.signals import SIGNALS, get_signal
    for spec in SIGNALS.values(): spec.name, spec.source, spec.default_weight, ...

The built-in signals register on import, in the order bundles list them.
"""

from ytrec.signals.base import BuildContext, LazyModels, LoadedModels, Models, SignalInputs, SignalSpec
from ytrec.signals.registry import (
    SIGNALS,
    default_weights,
    duplicate_thresholds,
    get_signal,
    mode_signals,
    query_modes,
    register_signal,
    signals_for,
    signals_for_source,
    weight_flags,
)
from ytrec.signals import thumbnail, thumbnail_copy, title, title_lexical  # noqa: E402,F401  (register, in order)

__all__ = [
    "SIGNALS",
    "BuildContext",
    "LazyModels",
    "LoadedModels",
    "Models",
    "SignalInputs",
    "SignalSpec",
    "default_weights",
    "duplicate_thresholds",
    "get_signal",
    "mode_signals",
    "query_modes",
    "register_signal",
    "signals_for",
    "signals_for_source",
    "weight_flags",
]
