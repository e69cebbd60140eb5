"""Score calibration: hub densities against a reference sample, title coverage as a weight factor."""

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.store import VectorStore
from ytrec.signals.calibration import (
    CALIBRATION_FILE,
    HUB_DISCOUNT,
    HUB_NEIGHBOURS,
    Calibration,
    calibrate,
    measure_density,
    scaled_weights,
)


def _store(n=300, d=16, seed=0, name="title"):
    vectors = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return VectorStore.build(name, vectors)


def _brute_density(store, reference, rows):
    out = []
    for r in rows:
        sims = np.asarray(store.similarity(store.row_query(int(r)), reference), dtype=np.float64)
        sims[reference == r] = -np.inf
        out.append(np.sort(sims)[::-1][:HUB_NEIGHBOURS].mean())
    return np.array(out)


def test_density_is_the_mean_similarity_to_the_nearest_reference_rows_self_excluded():
    store = _store()
    reference = np.arange(0, 300, 2, dtype=np.int64)  # rows in and out of the reference
    rows = np.array([0, 1, 2, 151, 298, 299], dtype=np.int64)
    got = measure_density(store, reference, rows)
    np.testing.assert_allclose(got, _brute_density(store, reference, rows), atol=1e-5)
    whole = measure_density(store, reference)
    np.testing.assert_allclose(whole[rows], got, atol=1e-5)


def test_a_hub_gets_the_highest_density_and_loses_the_most():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(200, 8)).astype(np.float32)
    vectors[:, 0] += 1.5  # a direction every row shares
    vectors[7] = np.eye(8, dtype=np.float32)[0]  # that direction itself: near everything
    calibration = calibrate({"title": VectorStore.build("title", vectors)}, {})
    assert int(np.argmax(calibration.density["title"])) == 7
    rows = np.array([3, 7], dtype=np.int64)
    scores = {"title": np.array([0.5, 0.5], dtype=np.float32), "title_lexical": np.array([0.2, 0.2], dtype=np.float32)}
    discounted = calibration.discounted(scores, rows)
    assert discounted["title"][1] < discounted["title"][0]
    np.testing.assert_allclose(discounted["title"], 0.5 - HUB_DISCOUNT * calibration.density["title"][rows], rtol=1e-6)
    assert discounted["title_lexical"] is scores["title_lexical"]  # a signal without density is left as it is


def test_expansion_similarities_are_discounted_by_the_pool_rows_density():
    calibration = Calibration({"title": np.array([0.0, 0.4, 0.8], dtype=np.float32)}, {}, np.arange(3))
    pool_rows = np.array([2, 0], dtype=np.int64)

    def neighbours(idx, names):
        return {m: np.ones((len(idx), len(pool_rows)), dtype=np.float32) for m in names}

    found = calibration.discounted_neighbours(neighbours, pool_rows)(np.array([0]), ["title"])
    np.testing.assert_allclose(found["title"], [[1 - HUB_DISCOUNT * 0.8, 1.0]], rtol=1e-6)


def test_title_coverage_scales_the_title_weight_only_where_another_signal_weighs():
    weights = {"title": 0.5, "title_lexical": 0.5}
    assert scaled_weights(weights, {"title": 0.2}) == {"title": 0.1, "title_lexical": 0.5}
    assert scaled_weights({"title": 0.5}, {"title": 0.2}) == {"title": 0.5}  # alone: same ranking at any weight
    assert scaled_weights({"title": 0.5, "title_lexical": 0.0}, {"title": 0.0}) == {"title": 0.5, "title_lexical": 0.0}
    assert scaled_weights(weights, {}) is weights
    calibration = Calibration({}, {"title": np.array([1.0, 0.0, 0.5], dtype=np.float32)}, np.arange(3))
    assert calibration.scale_of_rows([1, 2]) == {"title": pytest.approx(0.25)}


def test_it_round_trips_and_refuses_a_file_of_another_catalog(tmp_path):
    calibration = calibrate({"title": _store(50)}, {"title": np.linspace(0, 1, 50, dtype=np.float32)})
    files = calibration.save(tmp_path)
    assert files == [CALIBRATION_FILE]
    loaded = Calibration.load(tmp_path, files, 50)
    np.testing.assert_array_equal(loaded.density["title"], calibration.density["title"])
    np.testing.assert_array_equal(loaded.coverage["title"], calibration.coverage["title"])
    np.testing.assert_array_equal(loaded.reference, calibration.reference)
    assert Calibration.load(tmp_path, [], 50).empty  # a bundle built before calibration
    with pytest.raises(ArtifactError, match="50 rows for 49 videos"):
        Calibration.load(tmp_path, files, 49)


def test_added_rows_get_densities_against_the_same_reference_and_removed_rows_renumber_it():
    full = _store(120, seed=3)
    first = VectorStore.build("title", np.asarray(full.vectors[:100]))
    calibration = calibrate({"title": first}, {"title": np.ones(100, dtype=np.float32)})
    grown = calibration.with_rows_added({"title": full}, {"title": np.full(20, 0.5, dtype=np.float32)})
    assert grown.rows == 120 and grown.coverage["title"][-1] == 0.5
    np.testing.assert_allclose(grown.density["title"], measure_density(full, calibration.reference), atol=1e-5)

    removed = np.array([0, 5, 99], dtype=np.int64)
    shrunk = grown.with_rows_removed(removed)
    keep = np.setdiff1d(np.arange(120), removed)
    assert shrunk.rows == 117
    np.testing.assert_array_equal(shrunk.density["title"], grown.density["title"][keep])
    # the reference keeps the same videos, under their new row numbers
    np.testing.assert_array_equal(keep[shrunk.reference], np.setdiff1d(calibration.reference, removed))
