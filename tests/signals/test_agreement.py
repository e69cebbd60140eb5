"""Default weights from neighbour agreement: a signal that agrees with no other gets (almost) none."""

import numpy as np

from ytrec.index.store import VectorStore
from ytrec.signals.agreement import agreement_lifts, agreement_weights


def _clustered(rng, labels, noise):
    centres = rng.normal(size=(labels.max() + 1, 16))
    return (centres[labels] + noise * rng.normal(size=(len(labels), 16))).astype(np.float32)


def _stores(n=240, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 12, size=n)
    return {
        "title": VectorStore.build("title", _clustered(rng, labels, 0.6)),
        "title_lexical": VectorStore.build("title_lexical", _clustered(rng, labels, 0.8)),
        "thumbnail": VectorStore.build("thumbnail", rng.normal(size=(n, 16)).astype(np.float32)),  # noise
        "thumbnail_copy": VectorStore.build("thumbnail_copy", _clustered(rng, labels, 0.6)),
    }


def test_signals_that_agree_share_the_weight_and_noise_gets_little():
    defaults = {"thumbnail": 0.5, "thumbnail_copy": 0.0, "title": 0.5, "title_lexical": 0.5}
    weights, record = agreement_weights(_stores(), defaults)
    assert record["method"] == "neighbour agreement"
    # the copy code is weighed like the others: here it agrees with the titles (channel branding)
    assert weights["thumbnail_copy"] > 0.5 * min(weights["title"], weights["title_lexical"])
    assert weights["thumbnail"] < 0.2 * min(weights["title"], weights["title_lexical"])
    assert abs(sum(weights.values()) - 1.5) < 0.01  # the defaults' overall scale is kept
    assert record["support"]["title"] > 3 and record["support"]["thumbnail"] < 2


def test_a_copy_code_at_chance_gets_almost_nothing():
    stores = _stores()
    rng = np.random.default_rng(5)
    stores["thumbnail_copy"] = VectorStore.build("thumbnail_copy", rng.normal(size=(240, 16)).astype(np.float32))
    defaults = {"thumbnail": 0.5, "thumbnail_copy": 0.0, "title": 0.5, "title_lexical": 0.5}
    weights, _ = agreement_weights(stores, defaults)
    assert weights["thumbnail_copy"] < 0.2 * weights["title"]


def test_the_estimate_is_seeded_and_symmetric():
    stores = _stores()
    first, second = agreement_lifts(stores, seed=3), agreement_lifts(stores, seed=3)
    assert first == second
    assert first["title"]["thumbnail"] == first["thumbnail"]["title"]


def test_too_little_to_compare_keeps_the_defaults():
    stores = _stores(n=8)
    defaults = {"thumbnail": 0.5, "thumbnail_copy": 0.0, "title": 0.5, "title_lexical": 0.5}
    weights, record = agreement_weights(stores, defaults)
    assert weights == defaults and record["method"] == "defaults"
    one = {"title": _stores()["title"]}
    assert agreement_weights(one, {"title": 0.5})[0] == {"title": 0.5}
