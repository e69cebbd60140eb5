"""A model that is not here is an error that names it -- fast, and never a silent substitute."""

import time

import huggingface_hub
import pytest

from ytrec.encoders.title import DEFAULT_TEXT_MODEL, OFFLINE_MODEL_ALIAS, TextModelConfig, TitleEmbedder
from ytrec.encoders.title import loading
from ytrec.errors import ModelUnavailableError


def _load(model: str) -> None:
    TitleEmbedder(TextModelConfig.for_model(model)).encode_passages(["x"])


def test_uncached_hub_model_fails_fast_offline_with_instructions():
    import sentence_transformers  # noqa: F401  (import time is not what is measured)

    started = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as caught:
        _load(DEFAULT_TEXT_MODEL)
    assert time.perf_counter() - started < 5
    message = str(caught.value)
    assert "\n" not in message
    assert f"text model {DEFAULT_TEXT_MODEL} cannot be loaded" in message
    assert f"hf download {DEFAULT_TEXT_MODEL} --local-dir models/multilingual-e5-base" in message
    assert f"--text-model {OFFLINE_MODEL_ALIAS}" in message


def test_unreachable_hub_fails_on_one_quick_probe(monkeypatch):
    """Without HF_HUB_OFFLINE, an unreachable hub must not cost a minute of download retries."""

    def unreachable(*args, **kwargs):
        raise OSError("[Errno -2] Name or service not known")

    monkeypatch.setattr(loading, "hub_offline", lambda: False)
    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    with pytest.raises(ModelUnavailableError, match="hub does not serve it: .Errno -2. Name or service not known"):
        _load("intfloat/multilingual-e5-small")


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(ModelUnavailableError, match="text model directory .*nowhere/e5 does not exist"):
        _load(str(tmp_path / "nowhere" / "e5"))


def test_directory_without_a_model_is_named(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelUnavailableError, match=f"text model {tmp_path} cannot be loaded from"):
        _load(str(tmp_path))


def test_unknown_offline_alias():
    with pytest.raises(ModelUnavailableError, match=f"the one offline model is {OFFLINE_MODEL_ALIAS}"):
        _load("offline:bge-m3")
