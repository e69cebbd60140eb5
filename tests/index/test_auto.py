"""The automatic index choice: by size, dimension and memory budget; recorded with its reasons."""

from __future__ import annotations

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.auto import (
    FLAT_SCAN_BYTES,
    build_store,
    choose_index,
    choose_indexes,
    estimate_bytes,
    parse_bytes,
    plan_indexes,
    rebuild_like,
)
from ytrec.index.store import normalize_rows

DIMS = {"thumbnail": 64, "title": 768}


def test_small_catalogs_stay_exact():
    plan = choose_indexes(1000, DIMS)
    assert {c.kind for c in plan.values()} == {"flat"}
    assert "exact" in plan["title"].reason
    assert choose_index(FLAT_SCAN_BYTES // (64 * 4), 64).kind == "flat"
    assert choose_index(FLAT_SCAN_BYTES // (64 * 4) + 1, 64).kind == "hnsw"


def test_large_catalogs_use_hnsw_and_fit_the_budget():
    plan = choose_indexes(1_000_000, DIMS)
    assert plan["thumbnail"].kind == plan["title"].kind == "hnsw"
    assert plan["title"].params["storage"] == "float16"  # no budget: the most accurate
    budget = int(1.5e9)
    plan = choose_indexes(1_000_000, DIMS, budget)
    assert sum(c.estimated_bytes for c in plan.values()) <= budget
    assert plan["title"].params["storage"] == "int8" and not plan["title"].over_budget
    tight = choose_indexes(1_000_000, DIMS, 300 * 10**6)
    assert tight["title"].kind == "ivfpq" and tight["title"].over_budget


def test_budget_is_shared_to_use_it_best():
    # a budget that fits float16 thumbnails + int8 titles but not float32 thumbnails with them
    n = 1_000_000
    need = estimate_bytes("hnsw", n, 64, {"storage": "float16"}) + estimate_bytes("hnsw", n, 768, {"storage": "int8"})
    plan = choose_indexes(n, DIMS, need)
    assert plan["thumbnail"].params["storage"] == "float16" and plan["title"].params["storage"] == "int8"


def test_explicit_kinds_and_unknown_kind():
    plan = plan_indexes("ivfsq", 50_000, DIMS)
    assert {c.kind for c in plan.values()} == {"ivfsq"} and plan["title"].reason == "requested"
    assert plan_indexes("hnsw", 50_000, DIMS)["title"].params == {"storage": "float16"}
    with pytest.raises(ArtifactError, match="unknown index kind"):
        plan_indexes("annoy", 10, DIMS)


def test_build_store_records_the_choice_and_rebuilds_alike():
    rng = np.random.default_rng(0)
    vectors = normalize_rows(rng.normal(size=(600, 16)))
    store, choice = build_store("thumbnail", vectors, "ivfsq", {"nlist": 8})
    assert store.kind == "ivfsq" and choice.params["nlist"] == 8 and choice.estimated_bytes > 0
    again = rebuild_like(store, vectors[:300])
    assert again.kind == "ivfsq" and len(again) == 300
    hnsw, _ = build_store("thumbnail", vectors, "hnsw", {"M": 8})
    assert rebuild_like(hnsw, vectors).describe()["params"]["M"] == 8


def test_estimates_are_close_to_the_files(tmp_path):
    rng = np.random.default_rng(0)
    vectors = normalize_rows(rng.normal(size=(8_000, 64)))
    for kind, params in (("hnsw", {"storage": "int8", "M": 16}), ("ivfsq", {}), ("ivfpq", {"m": 8, "nbits": 6})):
        store, choice = build_store("t", vectors, kind, params)
        directory = tmp_path / kind
        directory.mkdir()
        size = sum((directory / f).stat().st_size for f in store.save(directory))
        assert 0.75 * size <= estimate_bytes(kind, 8_000, 64, store.describe()["params"]) <= 1.3 * size, kind


def test_parse_bytes():
    assert parse_bytes("1.5GB") == 1_500_000_000
    assert parse_bytes("800 MiB") == 800 * 2**20
    assert parse_bytes("12345") == 12345
    with pytest.raises(ArtifactError, match="memory budget"):
        parse_bytes("lots")
