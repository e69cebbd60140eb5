"""The lexical title store: exact rescoring against a brute-force reference, the word index's
candidates, multilingual titles, updates, and bundle files, in each of its three ways of scoring:
stored vectors searched against every title (small catalogs), stored vectors for the word index's
candidates (mid catalogs), vectors recomputed from the titles (a million titles)."""

import math
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.base import NewRows
from ytrec.index.lexical import LexicalIndexConfig, LexicalIndexStore, LexicalQuery, estimate_bytes
from ytrec.index.lexical_terms import TermConfig
from ytrec.index.lexical_words import tokens
from ytrec.index.registry import load_store

TITLES = [
    "ශ්‍රී ලංකා ක්‍රිකට් පුවත්",  # Sinhala: "Sri Lanka cricket news"
    "ශ්‍රී ලංකා ක්‍රිකට් කණ්ඩායම",  # Sinhala: "Sri Lanka cricket team"
    "இலங்கை சமையல் குறிப்பு",  # Tamil: "Sri Lanka cooking recipe"
    "இலங்கை சமையல் வீடியோ",  # Tamil: "Sri Lanka cooking video"
    "Pol Sambol Recipe",
    "Pol Roti Recipe | Sri Lankan Breakfast",
    "Kottu Roti at home - Episode 12",
    "Office එකේ Day 02 | Vlog",
    "Office එකේ Day 04 | Vlog",
    "",
    "Cricket highlights: Sri Lanka vs India",
    "ক",  # one character: a padded word still has 2-grams
]


DEFAULT_TERMS = TermConfig()


def reference_vector(text: str, titles: list[str], words: bool,
                     n_range=(DEFAULT_TERMS.ngram_min, DEFAULT_TERMS.ngram_max)) -> dict[object, float]:
    """Sublinear TF-IDF over char_wb n-grams (and whole words if asked), computed with strings
    and dicts (no hashing); single characters are the words' own, without the padding."""

    def grams(t: str) -> Counter:
        t = " ".join(unicodedata.normalize("NFKC", t).casefold().split())
        found = Counter()
        for word in t.split():
            if words:
                found[("word", word)] += 1
            if n_range[0] == 1:
                found.update(word)
            padded = f" {word} "
            for n in range(max(n_range[0], 2), n_range[1] + 1):
                found.update(padded[i : i + n] for i in range(len(padded) - n + 1))
        return found

    df = Counter(g for t in titles for g in set(grams(t)))  # an unseen n-gram counts as seen once
    weights = {g: (1 + math.log(tf)) * (math.log((1 + len(titles)) / (1 + max(df[g], 1))) + 1)
               for g, tf in grams(text).items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


def reference_similarity(a: str, b: str, titles: list[str], words: bool) -> float:
    va, vb = reference_vector(a, titles, words), reference_vector(b, titles, words)
    return sum(w * vb.get(g, 0.0) for g, w in va.items())


MODES = {
    "exact scan": dict(config=None, term_vectors=True),
    "stored vectors": dict(config=LexicalIndexConfig(exact_scan_up_to=0), term_vectors=True),
    "recomputed": dict(config=None, term_vectors=False),
    "exact scan, words": dict(config=LexicalIndexConfig(terms=TermConfig(words=True)), term_vectors=True),
    "recomputed, words": dict(config=LexicalIndexConfig(terms=TermConfig(words=True)), term_vectors=False),
}


@pytest.fixture(scope="module", params=list(MODES))
def store(request) -> LexicalIndexStore:
    return LexicalIndexStore.build("title_lexical", TITLES, **MODES[request.param])


def test_the_modes_are_what_they_say(store):
    assert store.describe()["term_vectors"] == (store.vectors is not None)
    if store.vectors is not None:
        assert len(store.vectors) == len(TITLES) and store.vectors.nbytes > 0


def test_rescoring_is_exact_for_every_row(store):
    rows = np.arange(len(TITLES))
    for query in ["sri lanka cricket", "Pol roti", "ශ්‍රී ලංකා", "Office Day 03", TITLES[2]]:
        got = store.similarity(store.encode([query]), rows)
        want = [reference_similarity(query, t, TITLES, store.config.terms.words) for t in TITLES]
        np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(store.pairwise(rows)[4], [reference_similarity(TITLES[4], t, TITLES, store.config.terms.words) for t in TITLES], atol=1e-5)


def test_search_returns_exact_scores_of_the_best_word_candidates(store):
    scores, rows = store.search(store.encode(["Sri Lanka cricket", "pol recipe"]), 3)
    assert rows[0].tolist()[0] == 10 and set(rows[1][:2].tolist()) == {4, 5}
    for query, found, got in zip(["Sri Lanka cricket", "pol recipe"], rows, scores):
        np.testing.assert_allclose(got, [reference_similarity(query, TITLES[r], TITLES, store.config.terms.words) for r in found], atol=1e-5)
        assert np.all(np.diff(got) <= 0)


def test_identical_titles_score_one_up_to_case_spacing_and_unicode_form(store):
    assert store.similarity(store.encode(["pol  SAMBOL recipe"]), np.array([4]))[0] == pytest.approx(1.0, abs=1e-6)
    assert store.similarity(store.encode(["ＰＯＬ Sambol Recipe"]), np.array([4]))[0] == pytest.approx(1.0, abs=1e-6)
    pairwise = store.pairwise(np.array([0, 1, 4, 9]))
    np.testing.assert_allclose(pairwise, pairwise.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(pairwise), [1, 1, 1, 0], atol=1e-6)  # the empty title matches nothing
    assert pairwise.min() >= 0 and pairwise.max() <= 1


def test_unseen_terms_count_as_seen_once_and_a_query_of_none_finds_nothing(store):
    scores, rows = store.search(store.encode(["zzzz qqqq"]), 3)
    assert rows.tolist() == [[-1, -1, -1]] and not scores.any()
    mixed = store.similarity(store.encode(["pol zzzz"]), np.array([4, 5]))
    np.testing.assert_allclose(mixed, [reference_similarity("pol zzzz", TITLES[r], TITLES, store.config.terms.words) for r in (4, 5)], atol=1e-5)
    assert 0 < mixed[0] < store.similarity(store.encode(["pol"]), np.array([4]))[0]
    assert store.search(store.encode([""]), 2)[1].tolist() == [[-1, -1]]


def test_sinhala_and_tamil_words_stay_whole(store):
    found = tokens("ශ්‍රී ලංකා| ක්‍රිකට්")
    assert {"wශ්‍රී", "wලංකා", "wක්‍රිකට්", "tලංකා|"} <= set(found)  # vowel signs and ZWJ stay inside words
    assert {"pලං", "sකා"} <= set(found) and "wලංකා|" not in found
    assert store.search(store.row_query(0), 2)[1][0].tolist() == [0, 1]
    assert store.search(store.row_query(2), 2)[1][0].tolist() == [2, 3]
    assert store.similarity(store.row_query(0), np.array([2]))[0] == pytest.approx(0.0)


def test_rows_added_and_removed_score_exactly_with_the_build_statistics(store):
    added = ["Pol Sambol Recipe 2", "සිංහල Vlog", "Pol Sambol Recipe 2"]
    grown = store.with_rows_added(NewRows(records=[{"video_id": f"x{i}", "title": t} for i, t in enumerate(added)]))
    assert len(grown) == len(TITLES) + 3 and len(store) == len(TITLES)
    everything = TITLES + added
    rows = np.arange(len(everything))
    for query in (4, len(TITLES), len(TITLES) + 1):
        want = [reference_similarity(everything[query], t, TITLES, store.config.terms.words) for t in everything]
        np.testing.assert_allclose(grown.similarity(grown.row_query(query), rows), want, atol=1e-5)
    assert grown.pairwise(rows)[len(TITLES), len(TITLES) + 2] == pytest.approx(1.0, abs=1e-6)  # new duplicates
    assert grown.search(grown.row_query(4), 2)[1][0].tolist() == [4, len(TITLES)]

    shrunk = grown.with_rows_removed(np.array([0, 1, 4]))
    kept = [t for i, t in enumerate(everything) if i not in (0, 1, 4)]
    assert [shrunk.row_query(r).texts[0] for r in range(len(kept))] == [shrunk.encode([t]).texts[0] for t in kept]
    want = [reference_similarity("Pol Sambol Recipe", t, TITLES, store.config.terms.words) for t in kept]
    np.testing.assert_allclose(shrunk.similarity(shrunk.encode(["Pol Sambol Recipe"]), np.arange(len(kept))), want, atol=1e-5)
    found = shrunk.search(shrunk.encode(["Pol Sambol Recipe"]), 2)[1][0].tolist()
    assert [kept[r] for r in found] == ["Pol Sambol Recipe 2", "Pol Sambol Recipe 2"]
    assert store.search(store.row_query(4), 1)[1][0].tolist() == [4]  # the original is untouched


def test_save_load_roundtrip_is_memory_mapped_and_writes_nothing_into_the_bundle(store, tmp_path: Path):
    names = store.save(tmp_path)
    assert all(name.startswith("title_lexical_") for name in names)
    assert any(name.startswith("title_lexical_index/") for name in names)
    assert sorted(names) == sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    loaded = load_store("title_lexical", tmp_path, store.describe())
    assert isinstance(loaded, LexicalIndexStore) and len(loaded) == len(TITLES)
    assert all(isinstance(a, np.memmap) for a in (loaded.titles.data, loaded.stats.df, loaded.norms))
    query = store.encode(["Pol roti recipe"])
    for got, want in zip(loaded.search(query, 4), store.search(query, 4)):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before  # no lock or other file written
    in_memory = load_store("title_lexical", tmp_path, store.describe(), mmap=False)
    assert not isinstance(in_memory.stats.df, np.memmap) and in_memory.row_query(7) == store.row_query(7)


def test_a_missing_file_is_one_artifact_error(store, tmp_path: Path):
    names = store.save(tmp_path)
    (tmp_path / next(n for n in names if n.endswith("meta.json"))).unlink()
    with pytest.raises(ArtifactError, match="missing title_lexical_index/meta.json"):
        load_store("title_lexical", tmp_path, store.describe())
    with pytest.raises(ArtifactError, match="missing"):
        load_store("title_lexical", tmp_path / "elsewhere", store.describe())


def test_other_weightings_stay_cosines_and_round_trip(tmp_path: Path):
    config = LexicalIndexConfig(terms=TermConfig(words=True, weighting="bm25"), candidates=10)
    store = LexicalIndexStore.build("t", TITLES, config)
    sims = store.pairwise(np.arange(len(TITLES)))
    assert sims.min() >= 0 and sims.max() <= 1 + 1e-6
    assert sims[4, 4] == pytest.approx(1.0, abs=1e-6) and sims[4, 5] > 0
    store.save(tmp_path)
    loaded = load_store("t", tmp_path, store.describe())
    assert loaded.config == config
    np.testing.assert_allclose(loaded.pairwise(np.arange(len(TITLES))), sims, atol=1e-6)


def test_titles_without_terms_are_refused():
    with pytest.raises(ArtifactError, match="n-gram"):
        LexicalIndexStore.build("t", ["", " "])


def test_query_objects_and_rows_are_checked(store):
    assert store.encode(["a", "b"]) == LexicalQuery(("a", "b"))
    with pytest.raises(ValueError, match="one query"):
        store.similarity(store.encode(["a", "b"]), np.array([0]))
    with pytest.raises(IndexError):
        store.similarity(store.encode(["a"]), np.array([len(TITLES)]))


def test_size_estimate_grows_with_titles():
    small, large = estimate_bytes(10_000, 45), estimate_bytes(1_000_000, 45)
    assert 0 < small < large < 250 * 1_000_000


def test_large_catalogs_look_up_whole_words_only():
    assert LexicalIndexConfig.for_catalog(10_000).candidate_tokens == "twps"
    assert LexicalIndexConfig.for_catalog(2_000_000).candidate_tokens == "w"
    store = LexicalIndexStore.build("t", TITLES, LexicalIndexConfig(candidate_tokens="w", exact_scan_up_to=0))
    assert store.search(store.encode(["Pol | Sambol"]), 2)[1][0].tolist()[0] == 4
    assert store.search(store.encode(["|"]), 2)[1].tolist() == [[-1, -1]]  # no word: no candidates


def test_long_words_and_repeated_terms_score_exactly():
    titles = ["a" * 300 + " tail", "b" * 299 + "c tail", "tail tail tail", "x y z"]
    store = LexicalIndexStore.build("t", titles, LexicalIndexConfig(terms=TermConfig(words=True)), term_vectors=False)
    for query in titles:
        got = store.similarity(store.encode([query]), np.arange(len(titles)))
        np.testing.assert_allclose(got, [reference_similarity(query, t, titles, True) for t in titles], atol=1e-5)


def test_the_three_modes_agree_and_search_scores_are_reused_exactly(tmp_path: Path):
    built = {mode: LexicalIndexStore.build("t", TITLES, **kwargs) for mode, kwargs in MODES.items() if "words" not in mode}
    rows = np.arange(len(TITLES))
    for row in range(len(TITLES)):
        want = built["recomputed"].similarity(built["recomputed"].row_query(row), rows)
        for store in built.values():
            np.testing.assert_allclose(store.similarity(store.row_query(row), rows), want, atol=1e-6)
            np.testing.assert_allclose(store.pairwise(rows), built["recomputed"].pairwise(rows), atol=1e-6)
    recomputed = built["recomputed"]
    query = recomputed.encode(["Pol roti recipe"])
    before = recomputed.similarity(query, rows)
    recomputed.search(query, 3)  # remembers its candidates' scores
    np.testing.assert_allclose(recomputed.similarity(query, rows[::-1]), before[::-1], atol=1e-7)


def test_bundles_saved_before_term_vectors_load_and_recompute(tmp_path: Path):
    store = LexicalIndexStore.build("title_lexical", TITLES, term_vectors=False)
    store.save(tmp_path)
    old_meta = {k: v for k, v in store.describe().items() if k != "term_vectors"}
    old_meta["config"] = {k: v for k, v in old_meta["config"].items() if k != "exact_scan_up_to"}
    loaded = load_store("title_lexical", tmp_path, old_meta)
    assert loaded.vectors is None and loaded.config.exact_scan_up_to == LexicalIndexConfig().exact_scan_up_to
    query = store.encode(["Pol roti recipe"])
    np.testing.assert_allclose(loaded.search(query, 4)[0], store.search(query, 4)[0], atol=1e-6)


def test_stored_vectors_are_memory_mapped_and_their_size_is_estimated(tmp_path: Path):
    titles = [f"{t} {i % 7} {'part ' * (i % 3)}".strip() for i, t in enumerate(TITLES * 20)]
    stored = LexicalIndexStore.build("title_lexical", titles, term_vectors=True)
    names = stored.save(tmp_path)
    vector_files = [n for n in names if "vector" in n or "vocabulary" in n]
    assert len(vector_files) == 4
    loaded = load_store("title_lexical", tmp_path, stored.describe())
    assert all(isinstance(a.base, np.memmap) or isinstance(a, np.memmap) for a in loaded.vectors.arrays())
    chars = float(np.mean([len(t) for t in titles]))
    extra = estimate_bytes(len(titles), chars, term_vectors=True) - estimate_bytes(len(titles), chars)
    written = sum((tmp_path / n).stat().st_size for n in vector_files)
    vocabulary = (tmp_path / "title_lexical_vocabulary.npy").stat().st_size
    assert 0.7 < (extra - 8 * 25 * len(titles)) / (written - vocabulary) < 1.3  # the vocabulary is bounded above


def test_the_signal_offers_both_ways_and_the_budget_decides():
    from ytrec.index.auto import DEFAULT_MEMORY_BUDGET, choose_jointly
    from ytrec.signals import SIGNALS

    spec = SIGNALS["title_lexical"]
    small, large = spec.store_candidates(10_000, mean_title_chars=60.0), spec.store_candidates(1_000_000, mean_title_chars=60.0)
    assert [c.params["term_vectors"] for c in small] == [True, False]
    assert [c.params["term_vectors"] for c in large] == [False, True]
    assert all(c.kind == "lexical_inverted" and c.steps == 0 for c in small + large)
    assert small[0].estimated_bytes > small[1].estimated_bytes
    assert choose_jointly({"title_lexical": small}, DEFAULT_MEMORY_BUDGET)["title_lexical"].params["term_vectors"]
    assert not choose_jointly({"title_lexical": large}, 300_000_000)["title_lexical"].params["term_vectors"]
