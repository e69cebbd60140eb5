import math

import numpy as np
import pytest

from ytrec.eval import metrics

# ranked list: relevant at ranks 2 and 4; 3 relevant items exist in the catalog
HITS = [False, True, False, True, False]


def test_precision_recall_hit_rate():
    assert metrics.precision_at_k(HITS, 4) == pytest.approx(2 / 4)
    assert metrics.precision_at_k(HITS[:2], 4) == pytest.approx(1 / 4)  # short list: padded with misses
    assert metrics.recall_at_k(HITS, 3, 4) == pytest.approx(2 / 3)
    assert metrics.recall_at_k(HITS, 3, 1) == 0.0
    assert metrics.hit_rate(HITS, 1) == 0.0 and metrics.hit_rate(HITS, 2) == 1.0


def test_ndcg_by_hand():
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg_at_k(HITS, 3, 5) == pytest.approx(dcg / idcg)
    # only one relevant item exists: the ideal list has it at rank 1
    assert metrics.ndcg_at_k([False, True], 1, 2) == pytest.approx((1 / math.log2(3)) / 1)
    assert metrics.ndcg_at_k([True, True, True], 3, 3) == pytest.approx(1.0)
    assert metrics.ndcg_at_k(HITS, 0, 5) == 0.0


def test_reciprocal_rank():
    assert metrics.reciprocal_rank(HITS, 5) == pytest.approx(0.5)
    assert metrics.reciprocal_rank(HITS, 1) == 0.0
    assert metrics.reciprocal_rank([True], 10) == 1.0


def test_coverage_distance_and_label_share():
    assert metrics.coverage([[0, 1, 2], [2, 3, 9]], 10, 2) == pytest.approx(4 / 10)  # {0, 1, 2, 3}
    sims = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 1.0], [0.0, 1.0, 1.0]])
    assert metrics.intra_list_distance(sims) == pytest.approx(((1 - 0.5) + (1 - 0.0) + (1 - 1.0)) / 3)
    assert metrics.intra_list_distance(np.ones((1, 1))) == 0.0
    assert metrics.same_label_share(["a", "b", "a", "a"], "a", 3) == pytest.approx(2 / 3)
    assert metrics.same_label_share([], "a", 3) == 0.0


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        metrics.precision_at_k(HITS, 0)
