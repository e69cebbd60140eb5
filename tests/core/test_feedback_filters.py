"""Recommender options on the shared sample bundle: examples, filters, diversity, explanations."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.bundles import SampleBundle
from ytrec.core.filters import Filters
from ytrec.core.recommender import Recommender
from ytrec.errors import QueryError
from ytrec.fusion.diversity import Diversity


@pytest.fixture(scope="module")
def rec(sample_bundle: SampleBundle) -> Recommender:
    return Recommender.open(sample_bundle.bundle)


def test_bundle_has_lexical_and_copy_signals(rec: Recommender):
    assert {"thumbnail", "thumbnail_copy", "title", "title_lexical"} == set(rec.bundle.modalities)
    agreement = rec.bundle.manifest["fusion"]["agreement"]
    assert set(agreement["support"]) == set(rec.bundle.modalities)  # every signal weighed, the copy code too
    assert rec.default_weights == rec.bundle.manifest["fusion"]["weights"]


def test_filters_restrict_and_exclude(rec: Recommender):
    vid, channel = rec.catalog.video_ids[0], rec.catalog.column("channel")[0]
    assert all(r.channel != channel for r in rec.similar(vid, k=8, filters=Filters(exclude_own_channel=True)))
    other = sorted(set(rec.catalog.column("channel")) - {channel})[0]
    only = rec.similar(vid, k=5, filters=Filters(channels=(other,)))
    assert len(only) == 5 and {r.channel for r in only} == {other}  # searched deeper than the pool
    with pytest.raises(QueryError, match="unknown channel"):
        rec.similar(vid, k=5, filters=Filters(channels=("no such channel",)))


def test_feedback_likes_dislikes_and_modality_weights(rec: Recommender):
    ids = rec.catalog.video_ids
    single = rec.similar(ids[3], k=5)
    as_like = rec.feedback([ids[3]], k=5)
    assert [r.video_id for r in as_like] == [r.video_id for r in single]  # one like = "more like this"
    pushed = rec.feedback([ids[3]], [single[0].video_id], k=5)
    assert single[0].video_id not in {r.video_id for r in pushed}
    style_only = rec.feedback([ids[3]], k=5, like_weights={"title": 0, "title_lexical": 0}, mode="hybrid")
    assert all(set(r.contributions) == {"thumbnail", "thumbnail_copy"} for r in style_only)
    with pytest.raises(QueryError, match="liked"):
        rec.feedback([], [ids[1]])


def test_explanations_sum_to_the_score(rec: Recommender):
    for method in ("weighted_cosine", "weighted_sum", "rrf"):
        for r in rec.similar(rec.catalog.video_ids[5], k=5, fusion=method):
            assert sum(r.contributions.values()) == pytest.approx(r.score, abs=1e-4)
            assert r.driver in r.contributions and r.title_score == r.scores["title"]


def test_diversity_options(rec: Recommender):
    vid = rec.catalog.video_ids[2]
    capped = rec.similar(vid, k=8, diversity=Diversity(channel_cap=2))
    counts = np.unique([r.channel for r in capped], return_counts=True)[1]
    assert len(capped) == 8 and counts.max() <= 2
    varied = rec.similar(vid, k=8, diversity=Diversity(mmr_lambda=0.3))
    assert len({r.video_id for r in varied}) == 8


def test_copy_mode_finds_the_original(rec: Recommender, sample_bundle: SampleBundle):
    vid = rec.catalog.video_ids[4]
    results = rec.recommend_new(sample_bundle.source_thumbnail(vid), None, k=3, mode="thumbnail_copy")
    assert results[0].video_id == vid and results[0].driver == "thumbnail_copy"


def test_search_uses_both_title_signals(rec: Recommender):
    title = rec.catalog.titles[6]
    hit = rec.search(title, k=3)[0]
    assert hit.video_id == rec.catalog.video_ids[6]
    assert set(hit.scores) == {"title", "title_lexical"}
