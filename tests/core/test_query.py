import math

import pytest

from ytrec.core.query import MAX_K, active_modalities, check_k, check_weights, short_list_note
from ytrec.errors import QueryError


def test_k_bounds_are_stated():
    assert check_k(5, 10) == 5
    for bad in (0, -1, 11, 2.5, True):
        with pytest.raises(QueryError, match="between 1 and 10"):
            check_k(bad, 10)
    with pytest.raises(QueryError, match=f"between 1 and {MAX_K}"):
        check_k(MAX_K + 1, 10_000)
    with pytest.raises(QueryError, match="no other video"):
        check_k(1, 0)


def test_modes():
    assert active_modalities("hybrid", ["thumbnail", "title"]) == ["thumbnail", "title"]
    assert active_modalities("title", ["title"]) == ["title"]
    with pytest.raises(QueryError, match="unavailable"):
        active_modalities("thumbnail", ["title"])
    with pytest.raises(QueryError, match="unknown mode 'best'"):
        active_modalities("best", ["title"])


def test_weights():
    both = ["thumbnail", "title"]
    assert check_weights({"thumbnail": 1, "title": 3}, both, both) == {"thumbnail": 1.0, "title": 3.0}
    assert check_weights({"thumbnail": 1, "title": 3}, ["title"], both) == {"title": 3.0}
    assert check_weights({"title": 1}, both, both) == {"thumbnail": 0.0, "title": 1.0}
    for bad in ({"title": -1}, {"title": math.nan}, {"title": math.inf}, {"title": "x"}):
        with pytest.raises(QueryError, match="finite number >= 0"):
            check_weights(bad, both, both)
    with pytest.raises(QueryError, match="at least one weight must be positive"):
        check_weights({"thumbnail": 0, "title": 0}, both, both)
    with pytest.raises(QueryError, match="this bundle has"):
        check_weights({"audio": 1}, both, both)


def test_short_list_note_names_the_mode():
    assert short_list_note("thumbnail_copy", 10, 3) == (
        "3 of 10 results: thumbnail_copy lists only videos whose thumbnail may be a copy of this one")
    assert "share a word" in short_list_note("title_lexical", 5, 0)
    assert short_list_note("thumbnail_copy", 10, 10) is None and short_list_note("hybrid", 10, 3) is None
