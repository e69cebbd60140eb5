"""One evaluator: thumbnail copy detection. Does a transformed copy find its original?

Queries are catalog thumbnails put through each transform (``eval.transforms``) and normalized
as any uploaded thumbnail is; a hit is the original, or a catalog row with a byte-identical
thumbnail, at rank 1 (recall@1) or within 10 (recall@10). Also reported, per system: the median
and 5th percentile similarity of a copy to its original, and the 95th percentile of each
original's similarity to its nearest *other* catalog thumbnail (exact, over the whole catalog);
a duplicate threshold between the two separates copies from look-alikes (``fusion.duplicates``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from PIL import Image

from ytrec.catalog.images import normalize
from ytrec.eval.pixel_baselines import Descriptor
from ytrec.eval.transforms import TRANSFORMS
from ytrec.index.base import ModalityStore

CUTOFFS = (1, 10)


class CopySystem(ABC):
    name: str

    @abstractmethod
    def encode(self, images: list[Image.Image]) -> list[Any]:
        """Queries for normalized images."""

    @abstractmethod
    def search(self, query: Any, k: int) -> list[int]: ...

    @abstractmethod
    def similarity(self, query: Any, row: int) -> float: ...

    @abstractmethod
    def row_query(self, row: int) -> Any: ...

    def similarities(self, query: Any, rows: np.ndarray) -> np.ndarray:
        return np.array([self.similarity(query, int(r)) for r in rows], dtype=np.float32)


class StoreCopySystem(CopySystem):
    """A bundle's thumbnail store searched with an encoder's query vectors (the autoencoder)."""

    def __init__(self, name: str, store: ModalityStore, encode) -> None:
        self.name, self.store, self._encode = name, store, encode

    def encode(self, images: list[Image.Image]) -> list[Any]:
        return list(self._encode(images))

    def search(self, query: Any, k: int) -> list[int]:
        return [int(r) for r in self.store.search(query, k)[1][0] if r >= 0]

    def similarity(self, query: Any, row: int) -> float:
        return float(self.store.similarity(query, np.array([row]))[0])

    def row_query(self, row: int) -> Any:
        return self.store.row_query(row)

    def similarities(self, query: Any, rows: np.ndarray) -> np.ndarray:
        return self.store.similarity(query, rows)


class DescriptorCopySystem(CopySystem):
    """A training-free descriptor, exact search over the catalog's descriptors."""

    def __init__(self, name: str, descriptor: Descriptor, catalog_images: list[Image.Image]) -> None:
        self.name, self.descriptor = name, descriptor
        self.vectors = descriptor(catalog_images)

    def encode(self, images: list[Image.Image]) -> list[Any]:
        return list(self.descriptor(images))

    def search(self, query: Any, k: int) -> list[int]:
        scores = self.vectors @ query
        return np.lexsort((np.arange(len(scores)), -scores))[:k].tolist()

    def similarity(self, query: Any, row: int) -> float:
        return float(self.vectors[row] @ query)

    def row_query(self, row: int) -> Any:
        return self.vectors[row]

    def similarities(self, query: Any, rows: np.ndarray) -> np.ndarray:
        return self.vectors[rows] @ query


class CopyDetectionEvaluator:
    def __init__(self, images: dict[int, Image.Image], same_image: dict[int, set[int]]) -> None:
        """``images``: query row -> its stored thumbnail; ``same_image``: every catalog row -> the
        rows with identical bytes."""
        self.rows = sorted(images)
        self.same_image = same_image
        self.catalog_rows = np.arange(len(same_image))
        self.copies = {name: [normalize(t(images[r])) for r in self.rows] for name, t in TRANSFORMS.items()}

    def __call__(self, system: CopySystem) -> dict[str, float]:
        started = time.perf_counter()
        result: dict[str, float] = {"queries": len(self.rows)}
        for name, copies in self.copies.items():
            found = {c: 0 for c in CUTOFFS}
            similarities = []
            for row, query in zip(self.rows, system.encode(copies)):
                ranked = system.search(query, max(CUTOFFS))
                originals = self.same_image[row] | {row}
                for cutoff in CUTOFFS:
                    found[cutoff] += any(r in originals for r in ranked[:cutoff])
                similarities.append(system.similarity(query, row))
            for cutoff in CUTOFFS:
                result[f"{name}/recall@{cutoff}"] = found[cutoff] / len(self.rows)
            result[f"{name}/copy_similarity_median"] = float(np.median(similarities))
            result[f"{name}/copy_similarity_p5"] = float(np.percentile(similarities, 5))
        result["neighbour_similarity_p95"] = float(np.percentile([self._nearest_other(system, r) for r in self.rows], 95))
        result["ms_per_query"] = 1000 * (time.perf_counter() - started) / (len(self.rows) * len(self.copies))
        return result

    def _nearest_other(self, system: CopySystem, row: int) -> float:
        """Exact, over every other catalog row: a copy index need not return rows that are no copy."""
        others = np.setdiff1d(self.catalog_rows, list(self.same_image[row] | {row}))
        if not len(others):
            return float("nan")
        return float(np.max(system.similarities(system.row_query(row), others)))
