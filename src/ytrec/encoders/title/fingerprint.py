"""A short identity of a model's files, so a bundle can refuse query vectors from another model.

It hashes what decides the embedding -- module layout, configs, tokenizer, weights -- and skips
what differs between two copies of the same revision (READMEs, ONNX exports, the unused one of
safetensors/pytorch_model.bin), so a hub-cache copy and an ``hf download --local-dir`` copy
agree. Large files contribute their size plus first and last MiB: any retrained or fine-tuned
model changes those bytes, and a 1 GB model is fingerprinted in milliseconds, not seconds.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

_EDGE_BYTES = 1 << 20
_CONFIG_FILES = ("modules.json", "sentence_bert_config.json", "config.json")
_TOKENIZER_FILE = "tokenizer.json"
_VOCAB_FILES = ("sentencepiece.bpe.model", "spiece.model", "vocab.txt", "vocab.json", "merges.txt")


def model_fingerprint(model_dir: Path) -> str:
    """16 hex digits identifying the model stored in ``model_dir``."""
    digest = hashlib.sha256()
    for path in _identity_files(model_dir):
        digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
        _hash_file(path, digest)
    return digest.hexdigest()[:16]


def _identity_files(model_dir: Path) -> list[Path]:
    files: list[Path] = []
    for folder in _module_dirs(model_dir):
        files += [folder / name for name in _CONFIG_FILES if (folder / name).is_file()]
        tokenizer = folder / _TOKENIZER_FILE
        files += [tokenizer] if tokenizer.is_file() else [folder / n for n in _VOCAB_FILES if (folder / n).is_file()]
        files += sorted(folder.glob("*.safetensors")) or sorted(folder.glob("pytorch_model*.bin"))
    return list(dict.fromkeys(files))


def _module_dirs(model_dir: Path) -> list[Path]:
    """The folders of the sentence-transformers modules (a plain transformers model: the root)."""
    modules = model_dir / "modules.json"
    if not modules.is_file():
        return [model_dir]
    entries = json.loads(modules.read_text(encoding="utf-8"))
    folders = [model_dir / entry.get("path", "") for entry in entries]
    return [folder for folder in dict.fromkeys(folders) if folder.is_dir()]


def _hash_file(path: Path, digest: "hashlib._Hash") -> None:
    size = path.stat().st_size
    digest.update(size.to_bytes(8, "little"))
    with path.open("rb") as handle:
        if size <= 2 * _EDGE_BYTES:
            digest.update(handle.read())
            return
        digest.update(handle.read(_EDGE_BYTES))
        handle.seek(size - _EDGE_BYTES)
        digest.update(handle.read(_EDGE_BYTES))
