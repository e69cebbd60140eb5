"""Load a sentence-transformers model by name, path or alias -- or fail fast, in one line.

A hub id is first loaded from the local cache only, so a downloaded model never waits on the
network. When it is not cached, HF_HUB_OFFLINE fails at once, and otherwise one quick hub query
decides: without it an unreachable hub costs over a minute of retries before any error.
The configured model is never swapped for another one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ytrec.encoders.title.locate import cached_snapshot, hub_offline, local_model_dir
from ytrec.encoders.title.offline import OFFLINE_MODEL_ALIAS
from ytrec.errors import ModelUnavailableError
from ytrec.progress import progress_enabled

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

HUB_PROBE_TIMEOUT_S = 10.0


def load_text_model(model: str, device: str | None) -> tuple[SentenceTransformer, Path | None]:
    """The loaded model and the directory its files came from (None if the cache hides it)."""
    local = local_model_dir(model)
    if local is not None:
        try:
            return _sentence_transformer(str(local), device, local_files_only=True), local
        except Exception as exc:
            raise ModelUnavailableError(f"text model {model} cannot be loaded from {local}: {_reason(exc)}") from exc
    try:
        loaded = _sentence_transformer(model, device, local_files_only=True)
    except Exception as exc:
        if hub_offline():
            raise unavailable(model, "not in the local Hugging Face cache and HF_HUB_OFFLINE is set") from exc
        _probe_hub(model)
        try:
            loaded = _sentence_transformer(model, device, local_files_only=False)
        except Exception as exc:
            raise unavailable(model, _reason(exc)) from exc
    return loaded, cached_snapshot(model)


def unavailable(model: str, reason: str) -> ModelUnavailableError:
    """The error for a hub model that is not here, saying how to bring a copy."""
    folder = f"models/{model.rstrip('/').split('/')[-1]}"
    return ModelUnavailableError(
        f"text model {model} cannot be loaded ({reason}); download it where you are online with "
        f"`hf download {model} --local-dir {folder}` and pass --text-model {folder}, "
        f"or use --text-model {OFFLINE_MODEL_ALIAS} (English only)"
    )


def _probe_hub(model: str) -> None:
    from huggingface_hub import model_info

    try:
        model_info(model, timeout=HUB_PROBE_TIMEOUT_S)
    except Exception as exc:
        raise unavailable(model, f"not cached and the hub does not serve it: {_reason(exc)}") from exc


def _sentence_transformer(name: str, device: str | None, local_files_only: bool) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    with _quiet_download_bars():
        return SentenceTransformer(name, device=device, local_files_only=local_files_only)


@contextmanager
def _quiet_download_bars() -> Iterator[None]:
    """Hide the hub's download and transformers' weight-loading bars when progress is off."""
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars
    from transformers.utils import logging as transformers_logging

    if progress_enabled():
        yield
        return
    hub_was_on = not are_progress_bars_disabled()
    transformers_was_on = transformers_logging.is_progress_bar_enabled()
    disable_progress_bars()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if hub_was_on:
            enable_progress_bars()
        if transformers_was_on:
            transformers_logging.enable_progress_bar()


def _reason(exc: Exception) -> str:
    """An exception as one short line."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    return re.sub(r"\s+", " ", first)[:200]
