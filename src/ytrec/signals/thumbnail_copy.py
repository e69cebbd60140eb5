"""The copy signal: model-free 64-byte thumbnail codes that find re-uploads of a picture.

It finds copies first: it serves duplicate collapse and the ``thumbnail_copy`` mode. Its bits also
describe a thumbnail's layout and colours, so a build weighs it by neighbour agreement like every
signal (signals/agreement.py): channels that brand their thumbnails give it weight, a catalog where
it agrees with nothing gives it ~0. Its default weight, used when there is nothing to compare, is 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ytrec.index.base import ModalityStore
from ytrec.signals.base import BuildContext, Models, Purpose, SignalInputs, SignalSpec
from ytrec.signals.registry import register_signal


class ThumbnailCopySignal(SignalSpec):
    name = "thumbnail_copy"
    source = "thumbnail"
    label = "Copy"
    method = "copy code"
    weight_flag = "copy"
    default_weight = 0.0
    finds_similar = False  # its tables find copies: look-alikes come from the other signals' searches
    # Measured code against code (what duplicate collapse compares): no two distinct thumbnails of
    # thumbs-real exceed 0.26, while the synthetic sample's same-template thumbnails reach 0.906
    # (1 pair of 64,620 at or above 0.9); copies that are rescaled, brightened, re-encoded,
    # captioned or mirrored score a median 0.97-1.0 and 0.92-1.0 at their 5th percentile on
    # thumbs-real. 0.92 keeps every distinct pair apart and collapses about 95% of those copies;
    # re-crops change the stored code and are found at query time (crop hypotheses) instead.
    duplicate_threshold = 0.92
    store_kinds = ("copy_code",)  # index/copy_store.py's CopyCodeStore
    modes = ("thumbnail_copy",)
    model = None

    def store_candidates(self, n: int, **_) -> list:
        from ytrec.index.auto import StoreCandidate
        from ytrec.index.copy_store import estimate_bytes

        reason = "64-byte copy codes in multi-index hash tables"
        return [StoreCandidate("copy_code", {}, reason, estimate_bytes(n))]

    def build(self, ctx: BuildContext) -> ModalityStore:
        from ytrec.index.copy_store import CopyCodeStore

        store = CopyCodeStore.from_codes(self.name, self.new_rows(ctx))
        ctx.choices[self.name] = ctx.planned(self)
        return store

    def new_rows(self, inputs: SignalInputs) -> np.ndarray:
        from ytrec.index.copy_codes import CODE_BYTES, copy_codes

        chunks = [copy_codes(images) for images in inputs.image_chunks()]
        return np.concatenate(chunks) if chunks else np.zeros((0, CODE_BYTES), np.uint8)

    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        return store.encode([value])[0]

    def encode_queries(self, values: list, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> list:
        return list(store.encode(values))


register_signal(ThumbnailCopySignal())
