import numpy as np
import pytest

from ytrec.errors import QueryError
from ytrec.eval.relevance import LabelRelevance
from ytrec.eval.systems import OriginalMethod, RandomSystem, VectorSystem
from ytrec.index.store import VectorStore


def test_relevance_skips_unjudgeable_videos():
    relevance = LabelRelevance(["a", "b", "a", None, "c", "a"])
    assert relevance.relevant(0) == {2, 5}
    assert relevance.relevant(3) == set()
    assert relevance.queries() == [0, 2, 5]  # "b" and "c" are unique, None has no label
    assert len(relevance.queries(sample=2, seed=1)) == 2
    validation, heldout = relevance.split([0, 2, 5, 7], 0.5, seed=3)
    assert len(validation) == 2 and sorted(validation + heldout) == [0, 2, 5, 7]
    with pytest.raises(QueryError, match="nothing to evaluate"):
        LabelRelevance(["a", "b"]).queries()


def test_original_method_interleaves_modality_lists():
    # thumbnail neighbours of row 0: 1 then 2; title neighbours: 3 then 1
    thumbs = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [-1, 0]], dtype=np.float32)
    titles = np.array([[1, 0], [0.5, 0.5], [-1, 0.1], [0.9, 0.1]], dtype=np.float32)
    original = OriginalMethod([VectorStore.build("thumbnail", thumbs), VectorStore.build("title", titles)])
    assert original.rank(0, 3) == [1, 3, 2]
    assert original.rank(0, 2) == [1, 3]


def test_random_and_vector_systems_exclude_the_query():
    random = RandomSystem(20, seed=1)
    ranked = random.rank(4, 19)
    assert 4 not in ranked and len(set(ranked)) == 19 and random.rank(4, 19) == ranked
    vectors = np.eye(3, dtype=np.float32)
    vectors[2] = [0.8, 0.6, 0]
    assert VectorSystem("v", vectors).rank(0, 2) == [2, 1]
