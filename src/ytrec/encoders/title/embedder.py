"""Titles and free-text queries to L2-normalized float32 vectors with one text model.

The model loads on first use, once per embedder, so constructing one is free and a CLI command
that never embeds text never pays for a model load.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ytrec.encoders.title.config import TextModelConfig
from ytrec.encoders.title.fingerprint import model_fingerprint
from ytrec.encoders.title.loading import load_text_model
from ytrec.encoders.title.locate import local_model_dir
from ytrec.progress import progress_enabled

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_COVERAGE_BATCH = 10_000  # titles tokenized at a time


class TitleEmbedder:
    def __init__(self, config: TextModelConfig, device: str | None = None) -> None:
        self.config = config
        self.device = device
        self._model: SentenceTransformer | None = None
        self._files: Path | None = None
        self._lock = threading.Lock()

    def encode_passages(self, titles: Sequence[str]) -> np.ndarray:
        """Catalog titles, with the passage prefix: (N, dimension) float32, unit length."""
        return self._encode(titles, self.config.passage_prefix)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Free-text searches, with the query prefix: (N, dimension) float32, unit length."""
        return self._encode(texts, self.config.query_prefix)

    def coverage(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, the share of its tokens the model's tokenizer knows: an English model reads a
        Sinhala title as a run of unknown tokens, and fusion weighs its similarity by this share."""
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        tokenizer = self._loaded().tokenizer
        unknown = tokenizer.unk_token_id
        shares = np.ones(len(texts), dtype=np.float32)
        if unknown is None:
            return shares
        for start in range(0, len(texts), _COVERAGE_BATCH):
            batch = tokenizer(list(texts[start : start + _COVERAGE_BATCH]), add_special_tokens=False)["input_ids"]
            for i, ids in enumerate(batch, start):
                if ids:
                    shares[i] = 1.0 - sum(t == unknown for t in ids) / len(ids)
        return shares

    @property
    def dimension(self) -> int:
        model = self._loaded()
        get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dimension())

    def model_record(self) -> dict[str, Any]:
        """What a bundle stores to recognise this model later (see ``check_same_model``)."""
        model = self._loaded()
        local = local_model_dir(self.config.model)
        return {
            "model": self.config.model,
            "resolved_path": str(local) if local is not None else None,
            "fingerprint": model_fingerprint(self._files) if self._files is not None else None,
            "dimension": self.dimension,
            "passage_prefix": self.config.passage_prefix,
            "query_prefix": self.config.query_prefix,
            "pooling": _pooling_mode(model),
            "max_seq_length": model.max_seq_length,
            "normalized": True,
        }

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        model = self._loaded()
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            [prefix + text for text in texts],
            batch_size=self.config.batch_size,
            show_progress_bar=progress_enabled(),
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _loaded(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                model, self._files = load_text_model(self.config.model, self.device)
                if self.config.max_seq_length is not None:
                    model.max_seq_length = self.config.max_seq_length
                self._model = model
            return self._model


def _pooling_mode(model: SentenceTransformer) -> str | None:
    """The Pooling module's mode (``mean`` for e5 and MiniLM), None for models without one."""
    for module in model:
        if type(module).__name__ == "Pooling":
            mode = module.get_config_dict().get("pooling_mode") or module.get_pooling_mode_str()
            return mode if isinstance(mode, str) else "+".join(mode)
    return None
