"""The thumbnail signal: latents of the bundle's denoising conv autoencoder (style, layout, colour)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ytrec.index.base import ModalityStore
from ytrec.signals.base import Models, Purpose, SignalInputs
from ytrec.signals.dense import DenseSignal
from ytrec.signals.registry import register_signal


class ThumbnailSignal(DenseSignal):
    name = "thumbnail"
    source = "thumbnail"
    label = "Thumbnail"
    method = "autoencoder"
    weight_flag = "thumbnail"
    default_weight = 0.5
    # never a duplicate threshold: a small autoencoder puts whole channels above 0.99 cosine
    duplicate_threshold = None
    modes = ("thumbnail",)
    model = "thumbnail_encoder"

    def dimension(self, inputs: SignalInputs) -> int:
        """From the autoencoder's config: known before it is trained."""
        config = getattr(inputs, "autoencoder_config", None) or inputs.models.thumbnail_encoder.config
        return int(config.latent_dim)

    def vectors(self, inputs: SignalInputs) -> np.ndarray:
        encoder = inputs.models.thumbnail_encoder
        return encoder.encode(inputs.thumbnail_arrays(encoder.config))

    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        return models.thumbnail_encoder.encode_pil([value])[0]

    def encode_queries(self, values: list, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> list:
        return list(models.thumbnail_encoder.encode_pil(values))


register_signal(ThumbnailSignal())
