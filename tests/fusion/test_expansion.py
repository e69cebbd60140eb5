"""Average query expansion over the pool: the best candidates vote, contributions still add up."""

import numpy as np

from ytrec.fusion.expansion import expand, expansion_rows
from ytrec.fusion.registry import get_fusion

# pool of four: a and b are the query's best; c is close to both of them, d only to the query
QUERY = {"title": np.array([0.9, 0.85, 0.60, 0.62]), "thumbnail": np.array([0.5, 0.5, 0.5, 0.5])}
POOL_SIMILARITY = {  # rows: a, b, c, d against the pool
    "title": np.array([[1.0, 0.9, 0.9, 0.0], [0.9, 1.0, 0.9, 0.0], [0.9, 0.9, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]),
    "thumbnail": np.full((4, 4), 0.5),
}


def neighbours_of(asked: list):
    def neighbours(idx, modalities):
        asked.append((idx.tolist(), list(modalities)))
        return {m: POOL_SIMILARITY[m][idx] for m in modalities}

    return neighbours


def test_a_candidate_close_to_the_best_ones_overtakes_one_close_only_to_the_query():
    strategy = get_fusion("weighted_cosine")
    weights = {"title": 1.0, "thumbnail": 1.0}
    parts = strategy.contributions(QUERY, weights)
    before = sum(parts.values())
    assert before[3] > before[2]
    asked = []
    after = expand(parts, weights, strategy, neighbours_of(asked), 2)
    fused = sum(after.values())
    assert fused[2] > fused[3]
    assert asked == [([0, 1], ["title", "thumbnail"])]
    # each signal's share is averaged over the query and the two rows: contributions still add up
    np.testing.assert_allclose(after["title"], (parts["title"] + POOL_SIMILARITY["title"][[0, 1]].sum(0) / 2) / 3,
                               rtol=1e-6)


def test_zero_rows_change_nothing_and_weightless_signals_are_not_asked():
    strategy = get_fusion("weighted_sum")
    weights = {"title": 1.0, "thumbnail": 0.0}
    parts = strategy.contributions(QUERY, weights)
    asked = []
    assert expand(parts, weights, strategy, neighbours_of(asked), 0) is parts and asked == []
    after = expand(parts, weights, strategy, neighbours_of(asked), 2)
    assert asked[0][1] == ["title"]
    assert not after["thumbnail"].any()


def test_copies_of_the_query_are_never_expansion_rows():
    fused = np.array([0.99, 0.8, 0.7, 0.1])
    drop = np.array([True, False, False, False])
    assert expansion_rows(fused, 2, drop).tolist() == [1, 2]
    assert expansion_rows(fused, 5).tolist() == [0, 1, 2, 3]


def test_builds_expand_unless_a_store_recomputes_rows():
    """Expansion asks every weighted store for its rows' similarities; a lexical store without
    stored term vectors (past the budget, e.g. at 1M titles) recomputes them, so builds turn it off."""
    from types import SimpleNamespace

    from ytrec.fusion.expansion import DEFAULT_EXPANSION, expansion_for

    weights = {"title": 0.5, "title_lexical": 0.5}
    cheap = {"title": SimpleNamespace(recomputes_rows=False), "title_lexical": SimpleNamespace(recomputes_rows=False)}
    assert expansion_for(cheap, weights)[0] == DEFAULT_EXPANSION
    costly = {**cheap, "title_lexical": SimpleNamespace(recomputes_rows=True)}
    rows, reason = expansion_for(costly, weights)
    assert rows == 0 and "title_lexical" in reason
    # a store the fusion never weighs is never asked for expansion rows
    assert expansion_for(costly, {**weights, "title_lexical": 0.0})[0] == DEFAULT_EXPANSION
