"""Reading and writing checkpoints: safetensors for tensors, JSON for everything else, no pickles.

Two artifacts live in a training directory:

- the best weights, ``thumbnail_encoder.safetensors`` + ``thumbnail_encoder.json`` (model and
  train config, history): what ``ThumbnailEncoder.load`` and bundles use;
- the last training state, ``training_state.safetensors``: model, Adam moments and RNG states as
  tensors, with its JSON (epoch, history, best so far, data fingerprint) in the safetensors
  header, so that one atomic rename replaces all of it and a crash never leaves a mixed state.

Every write goes to a temporary file first and is renamed into place.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from ytrec.errors import ArtifactError

WEIGHTS_FILE = "thumbnail_encoder.safetensors"
CONFIG_FILE = "thumbnail_encoder.json"
STATE_FILE = "training_state.safetensors"
FORMAT = "ytrec.thumbnail_encoder"
FORMAT_VERSION = 1
_META_KEY = "ytrec"
LATENT_MEAN_KEY = "latent_mean"  # in the description: the catalog's mean latent (absent: no centring)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # opened normally: umask applies
    try:
        yield tmp
        tmp.chmod(0o644)  # safetensors creates private files; artifacts are shared build outputs
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _cpu(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}


def write_json(path: Path, data: dict[str, Any]) -> None:
    with _atomic(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def save_best(out_dir: Path, model: torch.nn.Module, meta: dict[str, Any]) -> None:
    """Write the best weights and their description (weights first: the JSON names what is there)."""
    with _atomic(out_dir / WEIGHTS_FILE) as tmp:
        save_file(_cpu(model.state_dict()), tmp)
    write_json(out_dir / CONFIG_FILE, meta)


def _read_tensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    if not path.is_file():
        raise ArtifactError(f"{path} does not exist")
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}
    except Exception as exc:  # safetensors raises several unrelated types for damaged files
        raise ArtifactError(f"{path} is not a readable safetensors file ({_first_line(exc)})") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ArtifactError(f"{path} does not exist")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path} is not valid JSON ({_first_line(exc)})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArtifactError(f"{path} is not a ytrec thumbnail encoder description")
    if data.get("version") != FORMAT_VERSION:
        raise ArtifactError(
            f"{path} has format version {data.get('version')!r}; this ytrec reads {FORMAT_VERSION}"
        )
    return data


def load_best(directory: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(state dict on CPU, description) of the best weights in ``directory``."""
    meta = read_json(directory / CONFIG_FILE)
    tensors, _ = _read_tensors(directory / WEIGHTS_FILE)
    return tensors, meta


def load_into(model: torch.nn.Module, tensors: dict[str, torch.Tensor], source: Path) -> None:
    """Copy weights into ``model``; a wrong key set or shape means the file is not for this config."""
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise ArtifactError(
            f"weights in {source} do not fit the model its config describes ({_first_line(exc)})"
        ) from exc


def save_state(
    out_dir: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    generators: dict[str, torch.Generator],
    meta: dict[str, Any],
) -> None:
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    for pid, state in optimizer.state_dict()["state"].items():
        tensors.update({f"optim.{pid}.{k}": v for k, v in state.items()})
    tensors.update({f"rng.{name}": g.get_state() for name, g in generators.items()})
    with _atomic(out_dir / STATE_FILE) as tmp:
        save_file(_cpu(tensors), tmp, metadata={_META_KEY: json.dumps(meta)})


def read_state(out_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, torch.Tensor]]]:
    """(JSON metadata, tensors grouped as model / optim / rng) of the saved training state."""
    path = out_dir / STATE_FILE
    if not path.is_file():
        raise ArtifactError(f"cannot resume: no training state at {path}")
    tensors, header = _read_tensors(path)
    try:
        meta = json.loads(header[_META_KEY])
    except (KeyError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path} has no readable training metadata") from exc
    groups: dict[str, dict[str, torch.Tensor]] = {"model": {}, "optim": {}, "rng": {}}
    for key, value in tensors.items():
        kind, _, rest = key.partition(".")
        groups.setdefault(kind, {})[rest] = value
    return meta, groups


def restore_state(
    out_dir: Path,
    groups: dict[str, dict[str, torch.Tensor]],
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    generators: dict[str, torch.Generator],
) -> None:
    """Put saved weights, Adam moments and the named RNG states back in place."""
    path = out_dir / STATE_FILE
    load_into(model, groups["model"], path)
    optim_state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in groups["optim"].items():
        pid, _, name = key.partition(".")
        optim_state.setdefault(int(pid), {})[name] = value
    # Keep the current param groups: they carry this device's flags (fused on CUDA, not on CPU).
    current = optimizer.state_dict()
    try:
        optimizer.load_state_dict({"state": optim_state, "param_groups": current["param_groups"]})
        _match_param_layout(optimizer)
        for name, generator in generators.items():
            generator.set_state(groups["rng"][name])
    except (KeyError, ValueError, RuntimeError) as exc:
        raise ArtifactError(f"{path} does not match this training run ({_first_line(exc)})") from exc


def _match_param_layout(optimizer: torch.optim.Optimizer) -> None:
    """Give Adam's moments their parameter's memory layout again (files hold them contiguous).

    Conv weights are channels_last; fused CUDA Adam refuses moments whose strides differ.
    """
    for group in optimizer.param_groups:
        for param in group["params"]:
            state = optimizer.state.get(param, {})
            for key, value in state.items():
                if value.shape == param.shape and value.stride() != param.stride():
                    state[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)
