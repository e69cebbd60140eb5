"""The dense title signal: the bundle's sentence-transformers embedding of each title."""

from __future__ import annotations

from typing import Any

import numpy as np

from ytrec.index.base import ModalityStore
from ytrec.signals.base import Models, Purpose, SignalInputs
from ytrec.signals.dense import DenseSignal
from ytrec.signals.registry import register_signal


class TitleSignal(DenseSignal):
    name = "title"
    source = "title"
    label = "Title"
    method = "dense embedding"
    weight_flag = "title"
    default_weight = 0.5
    duplicate_threshold = None  # paraphrases embed as close as re-uploads: never a duplicate test
    modes = ("title", "title_dense")
    model = "text_model"

    def dimension(self, inputs: SignalInputs) -> int:
        return int(inputs.models.title_embedder.dimension)

    def vectors(self, inputs: SignalInputs) -> np.ndarray:
        return inputs.models.title_embedder.encode_passages(inputs.titles)

    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        """A new video's title embeds as a passage, like the catalog's; a search text as a query
        (e5's ``query:`` prefix)."""
        embedder = models.title_embedder
        embed = embedder.encode_passages if purpose == "passage" else embedder.encode_queries
        return embed([value])[0]

    def coverage(self, texts: list[str], models: Models) -> np.ndarray:
        """The share of each title's tokens the model's tokenizer knows (not its unknown token)."""
        return models.title_embedder.coverage(texts)


register_signal(TitleSignal())
