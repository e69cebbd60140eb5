import json

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.base import NewRows
from ytrec.index.lexical_tfidf import LexicalStore
from ytrec.index.registry import load_store

TITLES = [
    "ශ්‍රී ලංකා ක්‍රිකට් පුවත්",  # Sinhala: "Sri Lanka cricket news"
    "ශ්‍රී ලංකා ක්‍රිකට් කණ්ඩායම",  # Sinhala: "Sri Lanka cricket team"
    "இலங்கை சமையல் குறிப்பு",  # Tamil: "Sri Lanka cooking recipe"
    "இலங்கை சமையல் வீடியோ",  # Tamil: "Sri Lanka cooking video"
    "Pol Sambol Recipe",
]


@pytest.fixture
def store() -> LexicalStore:
    return LexicalStore.build("title_lexical", TITLES)


def test_rows_are_unit_tfidf_and_neighbours_share_script_words(store):
    norms = np.sqrt(np.asarray(store.matrix.multiply(store.matrix).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0, rtol=1e-5)
    scores, rows = store.search(store.row_query(0), 2)
    assert rows[0].tolist() == [0, 1] and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    assert store.search(store.row_query(2), 2)[1][0].tolist() == [2, 3]
    sims = store.similarity(store.row_query(0), np.array([1, 2, 4]))
    assert sims[0] > 0.3 and sims[1] == pytest.approx(0.0) and sims[2] == pytest.approx(0.0)


def test_new_text_is_case_and_unicode_folded(store):
    query = store.encode(["POL  SAMBOL"])
    assert store.search(query, 1)[1][0].tolist() == [4]
    assert store.encode(["ＰＯＬ sambol"]).nnz == query.nnz  # full-width letters fold by NFKC
    assert store.encode(["zzzz"]).nnz == 0  # n-grams never seen at build: an empty query


def test_tfidf_weights_by_hand():
    store = LexicalStore.build("t", ["ab", "ab", "cd"])
    # char_wb 2-4-grams of "ab": " a", "ab", "b ", " ab", "ab ", " ab " -> 6 grams, each tf 1;
    # each appears in 2 of 3 titles: idf = ln(4/3) + 1, equal weights, so each entry is 1/sqrt(6)
    row = store.row_query(0).toarray().ravel()
    assert np.count_nonzero(row) == 6
    np.testing.assert_allclose(row[row > 0], 1 / np.sqrt(6), rtol=1e-5)
    assert store.idf[store.vocabulary["cd"]] == pytest.approx(np.log(4 / 2) + 1)


def test_save_load_roundtrip_without_pickle(store, tmp_path):
    names = store.save(tmp_path)
    assert all(not name.endswith((".pkl", ".pickle")) for name in names)
    assert json.loads((tmp_path / "title_lexical_vocabulary.json").read_text(encoding="utf-8"))
    loaded = load_store("title_lexical", tmp_path, store.describe())
    assert isinstance(loaded, LexicalStore) and len(loaded) == len(TITLES)
    assert (loaded.encode(["Pol sambol"]) != store.encode(["Pol sambol"])).nnz == 0
    (tmp_path / "title_lexical_idf.npy").unlink()
    with pytest.raises(ArtifactError, match="missing"):
        load_store("title_lexical", tmp_path, store.describe())


def test_rows_added_and_removed(store):
    grown = store.with_rows_added(NewRows(records=[{"video_id": "x", "title": "Pol Sambol Recipe 2"}]))
    assert len(grown) == len(TITLES) + 1 and len(store) == len(TITLES)
    assert grown.search(grown.row_query(4), 2)[1][0].tolist() == [4, 5]
    shrunk = grown.with_rows_removed(np.array([0, 1]))
    assert len(shrunk) == len(TITLES) - 1
    assert shrunk.search(shrunk.encode(["Pol Sambol Recipe"]), 2)[1][0].tolist() == [2, 3]  # renumbered


def test_titles_without_ngrams_are_refused():
    with pytest.raises(ArtifactError, match="n-gram"):
        LexicalStore.build("t", ["", " "])
