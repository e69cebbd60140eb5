import pytest

from ytrec.encoders.title import DEFAULT_TEXT_MODEL, OFFLINE_MODEL_ALIAS, TextModelConfig
from ytrec.errors import ArtifactError


@pytest.mark.parametrize(
    "model",
    [DEFAULT_TEXT_MODEL, "intfloat/e5-small-v2", "/models/multilingual-e5-base", "models/E5/text"],
)
def test_e5_names_get_e5_prefixes(model):
    config = TextModelConfig.for_model(model)
    assert (config.passage_prefix, config.query_prefix) == ("passage: ", "query: ")


@pytest.mark.parametrize(
    "model",
    [
        OFFLINE_MODEL_ALIAS,
        "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
        "intfloat/multilingual-e5-large-instruct",  # wants a task instruction, not "query: "
        "/home/me5/minilm",
    ],
)
def test_other_names_get_no_prefixes(model):
    config = TextModelConfig.for_model(model)
    assert (config.passage_prefix, config.query_prefix) == ("", "")


def test_prefixes_can_be_forced_either_way():
    assert TextModelConfig.for_model(DEFAULT_TEXT_MODEL, prefixes=False).passage_prefix == ""
    assert TextModelConfig.for_model(OFFLINE_MODEL_ALIAS, prefixes=True).query_prefix == "query: "


def test_dict_round_trip_and_model_record_keys_are_ignored():
    config = TextModelConfig.for_model(DEFAULT_TEXT_MODEL, batch_size=8, max_seq_length=128)
    assert TextModelConfig.from_dict(config.to_dict()) == config
    record = {**config.to_dict(), "fingerprint": "abc", "dimension": 768, "pooling": "mean"}
    assert TextModelConfig.from_dict(record) == config


def test_with_model_keeps_the_settings():
    config = TextModelConfig.for_model(DEFAULT_TEXT_MODEL, batch_size=8)
    moved = config.with_model("/copies/e5")
    assert moved.model == "/copies/e5"
    assert (moved.passage_prefix, moved.batch_size) == ("passage: ", 8)


@pytest.mark.parametrize(
    "data", [{}, {"model": ""}, {"model": "x", "batch_size": 0}, {"model": "x", "max_seq_length": 0}]
)
def test_unusable_stored_config_is_an_artifact_error(data):
    with pytest.raises(ArtifactError, match="text model config"):
        TextModelConfig.from_dict(data)
