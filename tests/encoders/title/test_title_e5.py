"""The e5 path on a tiny random XLM-RoBERTa: prefixes reach the model, mean pooling, records."""

import shutil

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from ytrec.encoders.title import TextModelConfig, TitleEmbedder, check_same_model
from ytrec.errors import ArtifactError

TEXTS = [
    "cricket highlights",
    "ශ්‍රී ලංකාව ක්‍රිකට් පුවත් today",
    "இலங்கை பாடல்",
    "a much longer funny comedy travel vlog title",
]


def raw_embeddings(model_dir, texts):
    """Reference: plain transformers, attention-masked mean over tokens, then L2 normalization."""
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.no_grad():
        tokens = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (tokens * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(mean, dim=-1).numpy()


@pytest.fixture(scope="module")
def e5(tiny_e5_dir) -> TitleEmbedder:
    return TitleEmbedder(TextModelConfig.for_model(str(tiny_e5_dir), batch_size=3))


def test_e5_named_directory_turns_prefixes_on(e5):
    assert (e5.config.passage_prefix, e5.config.query_prefix) == ("passage: ", "query: ")


def test_prefixes_reach_the_model_and_pooling_is_masked_mean(e5, tiny_e5_dir):
    passages = e5.encode_passages(TEXTS)
    queries = e5.encode_queries(TEXTS)
    np.testing.assert_allclose(passages, raw_embeddings(tiny_e5_dir, ["passage: " + t for t in TEXTS]), atol=1e-5)
    np.testing.assert_allclose(queries, raw_embeddings(tiny_e5_dir, ["query: " + t for t in TEXTS]), atol=1e-5)
    assert not np.allclose(passages, raw_embeddings(tiny_e5_dir, TEXTS), atol=1e-3)
    assert not np.allclose(passages, queries, atol=1e-3)


def test_prefixes_forced_off(tiny_e5_dir):
    plain = TitleEmbedder(TextModelConfig.for_model(str(tiny_e5_dir), prefixes=False))
    np.testing.assert_allclose(plain.encode_passages(TEXTS), raw_embeddings(tiny_e5_dir, TEXTS), atol=1e-5)


def test_vectors_are_unit_float32_and_batching_does_not_change_them(e5):
    vectors = e5.encode_passages(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = np.vstack([e5.encode_passages([text]) for text in TEXTS])
    np.testing.assert_allclose(vectors, alone, atol=1e-5)
    assert e5.encode_passages([]).shape == (0, 32)


def test_model_record(e5, tiny_e5_dir):
    record = e5.model_record()
    assert record["model"] == str(tiny_e5_dir)
    assert record["resolved_path"] == str(tiny_e5_dir.resolve())
    assert (record["dimension"], record["pooling"], record["max_seq_length"]) == (32, "mean", 64)
    assert (record["passage_prefix"], record["query_prefix"]) == ("passage: ", "query: ")
    assert record["normalized"] is True
    restored = TextModelConfig.from_dict(record)
    assert restored == TextModelConfig.for_model(str(tiny_e5_dir), max_seq_length=64)


def test_configured_max_seq_length_is_applied(tiny_e5_dir):
    short = TitleEmbedder(TextModelConfig.for_model(str(tiny_e5_dir), max_seq_length=8))
    assert short.model_record()["max_seq_length"] == 8
    long_title = "cricket " * 30
    truncated = short.encode_passages([long_title, long_title + "song"])
    np.testing.assert_allclose(truncated[0], truncated[1], atol=1e-6)


def test_fingerprint_follows_the_files_not_the_path(e5, tiny_e5_dir, other_tiny_e5_dir, tmp_path):
    copy = shutil.copytree(tiny_e5_dir, tmp_path / "copy" / "e5-somewhere")
    (copy / "README.md").write_text("edited model card")
    recorded = e5.model_record()["fingerprint"]
    assert TitleEmbedder(TextModelConfig.for_model(str(copy))).model_record()["fingerprint"] == recorded
    assert TitleEmbedder(TextModelConfig.for_model(str(other_tiny_e5_dir))).model_record()["fingerprint"] != recorded


def test_same_model_elsewhere_is_accepted(e5, tiny_e5_dir, tmp_path):
    record = e5.model_record()
    check_same_model(record, e5.config)
    copy = shutil.copytree(tiny_e5_dir, tmp_path / "multilingual-e5-copy")
    check_same_model(record, e5.config.with_model(str(copy)))


def test_other_weights_are_refused(e5, other_tiny_e5_dir):
    with pytest.raises(ArtifactError, match="model files differ .fingerprint"):
        check_same_model(e5.model_record(), e5.config.with_model(str(other_tiny_e5_dir)))


def test_other_prefixes_are_refused(e5, tiny_e5_dir):
    with pytest.raises(ArtifactError, match="passage_prefix 'passage: ' vs ''"):
        check_same_model(e5.model_record(), TextModelConfig.for_model(str(tiny_e5_dir), prefixes=False))


def test_other_max_seq_length_is_refused(e5):
    with pytest.raises(ArtifactError, match="max_seq_length 64 vs 16"):
        check_same_model(e5.model_record(), TextModelConfig.for_model(e5.config.model, max_seq_length=16))


def test_model_that_cannot_be_compared_is_refused(e5):
    configured = e5.config.with_model("intfloat/multilingual-e5-base")
    with pytest.raises(ArtifactError, match="not on this machine to compare"):
        check_same_model(e5.model_record(), configured)


def test_incomplete_record_is_refused(e5):
    with pytest.raises(ArtifactError, match="record is incomplete"):
        check_same_model({"model": "x"}, e5.config)


def test_record_without_fingerprint_needs_the_same_name(e5, other_tiny_e5_dir):
    record = {**e5.model_record(), "fingerprint": None}
    check_same_model(record, e5.config)
    with pytest.raises(ArtifactError, match="no fingerprint to compare"):
        check_same_model(record, e5.config.with_model(str(other_tiny_e5_dir)))
