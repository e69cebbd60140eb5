import numpy as np
import pytest

from ytrec.errors import QueryError
from ytrec.fusion.channel_cap import cap_per_channel
from ytrec.fusion.diversity import Diversity
from ytrec.fusion.duplicates import collapse_duplicates
from ytrec.fusion.mmr import mmr

# candidates 0 and 1 are near-identical; 2 is different
SIM = np.array([[1.0, 0.95, 0.1], [0.95, 1.0, 0.2], [0.1, 0.2, 1.0]])
REL = np.array([1.0, 0.9, 0.5])


def test_mmr_by_hand():
    assert mmr(REL, SIM, 3, 1.0) == [0, 1, 2]  # pure relevance
    # rel scaled to [1, 0.8, 0]; after 0: gain(1) = 0.5*0.8 - 0.5*0.95 = -0.075, gain(2) = 0 - 0.05 = -0.05
    assert mmr(REL, SIM, 2, 0.5) == [0, 2]
    assert mmr(REL, SIM, 5, 0.5) == [0, 2, 1]  # k beyond the pool: every candidate once
    with pytest.raises(ValueError):
        mmr(REL, SIM, 2, 1.5)


def test_channel_cap():
    channels = ["a", "a", "b", None, "a", None]
    assert cap_per_channel(range(6), channels, 1) == [0, 2, 3, 5]
    assert cap_per_channel([4, 1, 0, 2], channels, 2) == [4, 1, 2]
    with pytest.raises(ValueError):
        cap_per_channel([0], channels, 0)


def test_collapse_duplicates():
    sims = {"title_lexical": SIM}
    assert collapse_duplicates([0, 1, 2], sims, {"title_lexical": 0.9}) == [0, 2]
    assert collapse_duplicates([1, 0, 2], sims, {"title_lexical": 0.9}) == [1, 2]  # best-ranked copy stays
    assert collapse_duplicates([0, 1, 2], sims, {"title_lexical": 0.99}) == [0, 1, 2]
    assert collapse_duplicates([0, 1, 2], sims, {"thumbnail": 0.5}) == [0, 1, 2]  # no such modality here
    assert collapse_duplicates([0, 1, 2], sims, {"title_lexical": 0.9}, drop=np.array([True, False, False])) == [1, 2]
    assert collapse_duplicates([0, 1, 2], sims, {"title_lexical": 0.99}, limit=2) == [0, 1]


def test_diversity_applies_duplicates_cap_then_mmr():
    sims = {"title_lexical": SIM, "thumbnail": np.eye(3)}
    weights = {"title_lexical": 1.0, "thumbnail": 1.0}
    plain = Diversity(collapse_duplicates=False)
    assert plain.apply(REL, sims, weights, ["a", "a", "b"], 3) == [0, 1, 2]
    assert Diversity(duplicate_thresholds={"title_lexical": 0.9}).apply(REL, sims, weights, [], 3) == [0, 2]
    capped = Diversity(collapse_duplicates=False, channel_cap=1)
    assert capped.apply(REL, sims, weights, ["a", "a", "b"], 3) == [0, 2]
    # mean similarity of 0 and 1 is (0.95 + 0) / 2 = 0.475. After 0, λ=0.5: gain(1) = 0.4 - 0.2375,
    # gain(2) = 0 - 0.025, so 1 stays second; λ=0.2: gain(1) = 0.16 - 0.38 < gain(2) = -0.04
    assert Diversity(collapse_duplicates=False, mmr_lambda=0.5).apply(REL, sims, weights, [], 3) == [0, 1, 2]
    assert Diversity(collapse_duplicates=False, mmr_lambda=0.2).apply(REL, sims, weights, [], 3) == [0, 2, 1]
    assert Diversity().with_overrides(mmr_lambda=0.3).mmr_lambda == 0.3
    assert Diversity.from_dict(Diversity(channel_cap=2).to_dict()) == Diversity(channel_cap=2)
    with pytest.raises(QueryError):
        Diversity(channel_cap=0)
