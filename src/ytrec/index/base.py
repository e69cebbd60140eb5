"""The interface every per-modality store implements, so fusion treats all signals alike.

Dense stores hold L2-normalized float32 vectors (inner product = cosine); other stores (e.g. a
lexical one) only need to give cosine-like similarities in [-1, 1] through the same methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np


class ModalityStore(ABC):
    kind: str  # recorded as manifest["modalities"][name]["index"]; selects the loader

    def __init__(self, name: str) -> None:
        self.name = name

    @abstractmethod
    def __len__(self) -> int: ...

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    @abstractmethod
    def search(self, queries: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) for a batch of queries; rows are -1 where fewer than k exist."""

    @abstractmethod
    def similarity(self, query: Any, rows: np.ndarray) -> np.ndarray:
        """Exact similarity of one query to the given rows, as float32."""

    @abstractmethod
    def row_query(self, row: int) -> Any:
        """The query that stands for catalog row ``row`` (for "more like this video")."""

    @abstractmethod
    def save(self, directory: Path) -> list[str]:
        """Write the store's files into ``directory``; return their names (for the manifest)."""

    @classmethod
    @abstractmethod
    def load(cls, name: str, directory: Path, meta: dict) -> "ModalityStore":
        """Read a store written by ``save``; ``meta`` is its manifest entry."""

    def describe(self) -> dict:
        """The manifest entry: kind, dimension and whatever ``load`` needs back."""
        return {"index": self.kind, "dimension": self.dimension, "metric": "cosine"}
