import numpy as np
import pytest

from ytrec.errors import QueryError
from ytrec.fusion.registry import get_fusion


def test_weighted_mean_of_cosines():
    fusion = get_fusion("weighted_cosine")
    scores = {"thumbnail": np.array([1.0, 0.0, 0.5]), "title": np.array([0.0, 1.0, 0.5])}
    np.testing.assert_allclose(fusion.fuse(scores, {"thumbnail": 3, "title": 1}), [0.75, 0.25, 0.5])
    np.testing.assert_allclose(fusion.fuse(scores, {"thumbnail": 0, "title": 2}), [0.0, 1.0, 0.5])


def test_unknown_method():
    with pytest.raises(QueryError, match="unknown fusion method"):
        get_fusion("magic")
