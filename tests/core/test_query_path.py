"""The query path's contracts beyond its results: one id lookup, pools no deeper than useful,
lists filled when the catalog can fill them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.bundles import SampleBundle
from ytrec.core.recommender import Recommender
from ytrec.errors import QueryError
from ytrec.fusion.diversity import Diversity


@pytest.fixture(scope="module")
def rec(sample_bundle: SampleBundle) -> Recommender:
    return Recommender.open(sample_bundle.bundle)


def _ids(results) -> list[str]:
    return [r.video_id for r in results]


def count_searches(store, monkeypatch) -> list[int]:
    """The depth of every ``search`` call ``store`` gets from now on (the list fills as it is called)."""
    calls: list[int] = []
    search = store.search

    def counted(queries, k, *args):
        calls.append(k)
        return search(queries, k, *args)

    monkeypatch.setattr(store, "search", counted)
    return calls


def test_similar_row_is_similar_for_a_resolved_row(rec: Recommender):
    vid = rec.catalog.video_ids[11]
    row = rec.catalog.row_of(vid)
    for mode in ("hybrid", "thumbnail", "title"):
        assert rec.similar_row(row, k=7, mode=mode) == rec.similar(vid, k=7, mode=mode)
    assert _ids(rec.similar_row(np.int64(row), k=3)) == _ids(rec.similar(vid, k=3))
    for bad in (-1, len(rec.catalog), True, 2.0, "3"):
        with pytest.raises(QueryError, match="not in the catalog"):
            rec.similar_row(bad)


def test_a_search_that_found_everything_is_not_repeated_deeper(rec: Recommender, monkeypatch):
    """The copy index returns only rows sharing a code chunk (fewer than asked): asking it 4x, 16x, ...
    deeper would return the same rows, at a lookup cost per round."""
    calls = count_searches(rec.bundle.stores["thumbnail_copy"], monkeypatch)
    for row in range(40):
        calls.clear()
        found = rec.similar_row(row, k=10, mode="thumbnail_copy")
        if len(found) < 10:
            assert len(calls) == 1, calls  # short because the index found no more copies
            break
    else:
        pytest.fail("every copy query found 10 rows; the sample should have a query with fewer")


def test_a_weighted_copy_code_scores_the_pool_but_searches_only_alone(rec: Recommender, monkeypatch):
    """Its tables find copies, which the other signals find too: in the hybrid it scores the pool
    the look-alike signals found; in its own mode it is the only searcher."""
    calls = count_searches(rec.bundle.stores["thumbnail_copy"], monkeypatch)
    weights = {m: 0.25 for m in rec.bundle.modalities}
    hybrid = rec.similar_row(5, k=10, weights=weights)
    assert calls == [] and len(hybrid) == 10
    assert all("thumbnail_copy" in r.scores for r in hybrid)  # scored and weighed all the same
    assert sum(r.contributions["thumbnail_copy"] for r in hybrid) > 0
    rec.similar_row(5, k=10, mode="thumbnail_copy")
    assert len(calls) == 1


def test_channel_cap_fills_the_list_from_a_deeper_pool(rec: Recommender):
    channels = rec.catalog.column("channel")
    k = min(10, len(set(channels)) - 1)
    for row in range(0, len(rec.catalog), 37):
        capped = rec.similar_row(row, k=k, diversity=Diversity(channel_cap=1))
        assert len(capped) == k and len({r.channel for r in capped}) == k


def test_a_filter_smaller_than_the_search_depth_scores_its_rows_without_searching(rec: Recommender, monkeypatch):
    """One channel of the catalog: a search would have to go deeper than the rows the filter allows
    (at a million videos, hundreds of thousands deep), so those rows are scored directly."""
    from ytrec.core.filters import Filters

    channels = rec.catalog.column("channel")
    query = 3
    other = sorted(set(channels) - {channels[query]})[0]
    calls = {m: count_searches(store, monkeypatch) for m, store in rec.bundle.stores.items()}
    listed = rec.similar_row(query, k=5, filters=Filters(channels=(other,)))
    assert not any(calls.values())
    assert len(listed) == 5 and {r.channel for r in listed} == {other}
    scores = [r.score for r in listed]
    assert scores == sorted(scores, reverse=True)
    whole = rec.similar_row(query, k=12, filters=Filters(channels=(other,)),  # the sample: 12 a channel
                            diversity=Diversity(collapse_duplicates=False))
    assert {r.video_id for r in whole} == {v for v, c in zip(rec.catalog.video_ids, channels) if c == other}
