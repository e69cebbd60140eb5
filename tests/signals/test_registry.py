"""The signal registry: every signal fully described once, and everything else derived from it."""

from __future__ import annotations

import pytest

from ytrec.core.query import MODES, active_modalities, weights_from_flags
from ytrec.errors import ArtifactError, QueryError
from ytrec.index.auto import DEFAULT_MEMORY_BUDGET, choose_jointly
from ytrec.index.registry import known_kinds
from ytrec.signals import (
    SIGNALS,
    default_weights,
    duplicate_thresholds,
    get_signal,
    mode_signals,
    query_modes,
    signals_for,
    signals_for_source,
)


def test_every_signal_is_fully_described():
    assert list(SIGNALS) == ["thumbnail", "thumbnail_copy", "title", "title_lexical"]
    flags = [s.weight_flag for s in SIGNALS.values()]
    assert len(set(flags)) == len(flags)
    for spec in SIGNALS.values():
        assert spec.source in ("thumbnail", "title") and spec.label and spec.method
        assert spec.default_weight >= 0 and spec.modes
        assert spec.store_kinds and set(spec.store_kinds) <= set(known_kinds())
        candidates = spec.store_candidates(10_000, dimension=64, mean_title_chars=40.0)
        assert candidates and all(c.kind in spec.store_kinds and c.estimated_bytes > 0 for c in candidates)


def test_modes_weights_and_thresholds_come_from_the_specs():
    assert MODES == query_modes() and MODES[0] == "hybrid"
    assert set(MODES) == {"hybrid", "thumbnail", "thumbnail_copy", "title", "title_dense", "title_lexical"}
    assert mode_signals("title") == ("title", "title_lexical")
    assert active_modalities("title", ["thumbnail", "title"]) == ["title"]
    with pytest.raises(QueryError, match="unknown mode 'best'"):
        active_modalities("best", ["title"])
    assert default_weights() == {"thumbnail": 0.5, "thumbnail_copy": 0.0, "title": 0.5, "title_lexical": 0.5}
    assert duplicate_thresholds() == {"thumbnail_copy": 0.92, "title_lexical": 0.99}
    assert [s.name for s in signals_for_source("title")] == ["title", "title_lexical"]
    assert [s.name for s in signals_for(["title", "unknown", "thumbnail"])] == ["title", "thumbnail"]
    with pytest.raises(QueryError, match="unknown signal"):
        get_signal("colour")


def test_weight_flags_map_to_signals():
    assert weights_from_flags({"thumbnail": None, "lexical": None}) is None
    assert weights_from_flags({"copy": 1.0, "title": 0.0}) == {"thumbnail_copy": 1.0, "title": 0.0}
    assert weights_from_flags({"thumbnail": 0.2, "lexical": 0.8}) == {"thumbnail": 0.2, "title_lexical": 0.8}


def test_all_four_stores_are_chosen_together_within_the_budget():
    n = 1_000_000
    sizing = {"thumbnail": {"dimension": 128}, "title": {"dimension": 768}, "title_lexical": {"mean_title_chars": 50.0}}
    candidates = {name: spec.store_candidates(n, **sizing.get(name, {})) for name, spec in SIGNALS.items()}
    plan = choose_jointly(candidates, DEFAULT_MEMORY_BUDGET)
    assert set(plan) == set(SIGNALS) and all(c.reason for c in plan.values())
    fixed = sum(c[-1].estimated_bytes for name, c in candidates.items() if len(c) == 1)
    smallest_dense = sum(candidates[n][-1].estimated_bytes for n in ("thumbnail", "title"))
    if fixed + smallest_dense <= DEFAULT_MEMORY_BUDGET:
        assert sum(c.estimated_bytes for c in plan.values()) <= DEFAULT_MEMORY_BUDGET
        assert not any(c.over_budget for c in plan.values())
    else:  # a model-free store alone is over the budget (until its compact kind): recorded, never hidden
        assert all(c.over_budget for c in plan.values())
    # dense signals give room to each other: the title (768-d) steps down before the thumbnail does
    dense = choose_jointly({m: candidates[m] for m in ("thumbnail", "title")}, int(1.5e9))
    assert dense["title"].params["storage"] == "int8" and dense["thumbnail"].kind == "hnsw"
    assert sum(c.estimated_bytes for c in dense.values()) <= 1.5e9


def test_signals_a_bundle_does_not_have_input_for_are_skipped():
    from ytrec.catalog.catalog import Catalog

    titles_only = Catalog.from_records([{"video_id": "a", "title": "x", "thumb": None}])
    assert [s.name for s in SIGNALS.values() if s.available(titles_only)] == ["title", "title_lexical"]
    with pytest.raises(ArtifactError, match="no thumbnail encoder"):
        from ytrec.signals import LazyModels

        LazyModels().thumbnail_encoder
