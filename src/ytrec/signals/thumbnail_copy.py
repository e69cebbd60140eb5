"""The copy signal: model-free thumbnail fingerprints that find re-uploads of a picture.

It finds copies, not similar videos: it fuses with weight 0 (scored, never searched) and serves
duplicate collapse and the ``thumbnail_copy`` mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ytrec.index.base import ModalityStore
from ytrec.signals.base import BuildContext, Models, Purpose, SignalInputs, SignalSpec
from ytrec.signals.registry import register_signal

_FINGERPRINT_BYTES = 3 * 48 * 36 * 2  # index/fingerprint.py: crops x cells x (4x3 pixels x RGB), float16


class ThumbnailCopySignal(SignalSpec):
    name = "thumbnail_copy"
    source = "thumbnail"
    label = "Copy"
    method = "copy fingerprint"
    weight_flag = "copy"
    default_weight = 0.0
    # On thumbs-real no two distinct thumbnails exceed 0.91, while rescaled, re-encoded,
    # brightened and cropped copies stay above 0.98 (median 0.99+); the synthetic sample's
    # same-style thumbnails reach 0.99, hence no lower threshold.
    duplicate_threshold = 0.99
    store_kinds = ("copy_fingerprint",)  # index/fingerprint.py's FingerprintStore
    modes = ("thumbnail_copy",)
    model = None

    def store_candidates(self, n: int, **_) -> list:
        from ytrec.index.auto import StoreCandidate

        size = n * _FINGERPRINT_BYTES
        return [StoreCandidate("copy_fingerprint", {}, "exact scan of copy fingerprints", size)]

    def build(self, ctx: BuildContext) -> ModalityStore:
        from ytrec.index.fingerprint import FingerprintStore

        store = FingerprintStore(self.name, self.new_rows(ctx))
        ctx.choices[self.name] = ctx.planned(self)
        return store

    def new_rows(self, inputs: SignalInputs) -> np.ndarray:
        from ytrec.index.fingerprint import CELLS, CROPS, catalog_fingerprints

        chunks = [catalog_fingerprints(images) for images in inputs.image_chunks()]
        return np.concatenate(chunks) if chunks else np.zeros((0, len(CROPS), CELLS, 36), np.float16)

    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        return store.encode([value])[0]

    def encode_queries(self, values: list, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> list:
        return list(store.encode(values))


register_signal(ThumbnailCopySignal())
