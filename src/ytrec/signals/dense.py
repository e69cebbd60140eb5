"""What the dense-vector signals share: a vector per row, stored in a Faiss kind chosen by ``--index``."""

from __future__ import annotations

from abc import abstractmethod

from typing import TYPE_CHECKING

import numpy as np

from ytrec.index.base import ModalityStore
from ytrec.signals.base import BuildContext, SignalInputs, SignalSpec

if TYPE_CHECKING:
    from ytrec.index.auto import StoreCandidate

DENSE_KINDS = ("flat", "hnsw", "ivfsq", "ivfpq")


class DenseSignal(SignalSpec):
    """A signal whose rows are L2-normalized float32 vectors from a model."""

    store_kinds = DENSE_KINDS

    @abstractmethod
    def vectors(self, inputs: SignalInputs) -> np.ndarray:
        """(N, d) vectors of every row of ``inputs``."""

    @abstractmethod
    def dimension(self, inputs: SignalInputs) -> int:
        """The vectors' dimension, known before they are computed (from the model's config)."""

    def sizing(self, ctx: SignalInputs) -> dict:
        return {"dimension": self.dimension(ctx)}

    def store_candidates(self, n: int, dimension: int = 768, **_) -> list[StoreCandidate]:
        from ytrec.index.auto import dense_candidates

        return dense_candidates(n, dimension)

    def requested(self, kind: str, n: int, dimension: int = 768, **_) -> StoreCandidate:
        from ytrec.index.auto import requested_kind

        return requested_kind(kind, n, dimension)

    def build(self, ctx: BuildContext) -> ModalityStore:
        from ytrec.index.auto import build_store

        store, choice = build_store(self.name, self.vectors(ctx), choice=ctx.planned(self))
        ctx.choices[self.name] = choice
        return store

    def new_rows(self, inputs: SignalInputs) -> np.ndarray:
        return self.vectors(inputs)

    def rebuild(self, inputs: SignalInputs, like: ModalityStore) -> ModalityStore:
        from ytrec.index.auto import rebuild_like

        return rebuild_like(like, self.vectors(inputs))
