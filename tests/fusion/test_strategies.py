import numpy as np
import pytest

from ytrec.fusion.registry import fusion_names, get_fusion
from ytrec.fusion.rrf import RRF_K, ranks
from ytrec.fusion.weighted_sum import min_max

SCORES = {"thumbnail": np.array([0.9, 0.5, 0.7]), "title_lexical": np.array([0.0, 0.4, 0.1])}
WEIGHTS = {"thumbnail": 1.0, "title_lexical": 3.0}


def test_registry_knows_every_strategy():
    assert fusion_names() == ["rrf", "weighted_cosine", "weighted_sum"]


def test_weighted_sum_normalizes_each_modality_to_unit_range():
    np.testing.assert_allclose(min_max(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])
    np.testing.assert_allclose(min_max(np.array([0.3, 0.3])), [0.0, 0.0])  # no spread, no signal
    fused = get_fusion("weighted_sum").fuse(SCORES, WEIGHTS)
    # thumbnail -> [1, 0, 0.5]; lexical -> [0, 1, 0.25]
    np.testing.assert_allclose(fused, [(1 + 0) / 4, (0 + 3) / 4, (0.5 + 0.75) / 4], rtol=1e-6)


def test_rrf_uses_ranks_only():
    np.testing.assert_array_equal(ranks(np.array([0.2, 0.9, 0.2])), [2, 1, 3])  # ties by position
    fused = get_fusion("rrf").fuse(SCORES, WEIGHTS)
    # thumbnail ranks [1, 3, 2]; lexical ranks [3, 1, 2]
    expected = [(1 / (RRF_K + 1) + 3 / (RRF_K + 3)) / 4, (1 / (RRF_K + 3) + 3 / (RRF_K + 1)) / 4,
                (1 / (RRF_K + 2) + 3 / (RRF_K + 2)) / 4]
    np.testing.assert_allclose(fused, expected, rtol=1e-6)
    scaled = {m: 10 * s - 5 for m, s in SCORES.items()}
    np.testing.assert_allclose(get_fusion("rrf").fuse(scaled, WEIGHTS), fused)


@pytest.mark.parametrize("name", ["rrf", "weighted_cosine", "weighted_sum"])
def test_contributions_sum_to_the_fused_score(name):
    strategy = get_fusion(name)
    parts = strategy.contributions(SCORES, WEIGHTS)
    assert set(parts) == set(SCORES)
    np.testing.assert_allclose(sum(parts.values()), strategy.fuse(SCORES, WEIGHTS), rtol=1e-6)
    zero = strategy.contributions(SCORES, {"thumbnail": 0.0, "title_lexical": 1.0})
    np.testing.assert_allclose(zero["thumbnail"], 0.0)
