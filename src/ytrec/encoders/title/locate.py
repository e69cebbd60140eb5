"""Where a configured model's files are on this machine, found without loading the model.

A name is, in this order: the offline alias, an existing directory, or a Hugging Face hub id.
A name that cannot be a hub id (``./x``, ``/abs/path``, ``a/b/c``) and is not a directory is a
mistyped path, reported as such rather than sent to the hub.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from huggingface_hub import constants, try_to_load_from_cache

from ytrec.encoders.title.offline import OFFLINE_MODEL_ALIAS, offline_model_path
from ytrec.errors import ModelUnavailableError

OFFLINE_SCHEME = "offline:"
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")
_TRUE = {"1", "true", "yes", "on"}


def local_model_dir(model: str) -> Path | None:
    """The directory to load ``model`` from, or None when it is a hub id (cached or not)."""
    if model == OFFLINE_MODEL_ALIAS:
        return offline_model_path()
    if model.startswith(OFFLINE_SCHEME):
        raise ModelUnavailableError(
            f"unknown offline text model {model}; the one offline model is {OFFLINE_MODEL_ALIAS}"
        )
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    if not _HUB_ID.fullmatch(model):
        raise ModelUnavailableError(f"text model directory {model} does not exist")
    return None


def cached_snapshot(repo_id: str) -> Path | None:
    """The hub-cache directory of an earlier download of ``repo_id``, if there is one."""
    for marker in ("modules.json", "config.json"):
        hit = try_to_load_from_cache(repo_id, marker)
        if isinstance(hit, str):
            return Path(hit).parent
    return None


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub read it at import, or as set since."""
    return constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE
