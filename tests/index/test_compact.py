"""Compact vector storage: error bounds of float16 / int8, files, memory-mapped loading, updates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.compact import CompactVectors
from ytrec.index.store import normalize_rows


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(0)
    return normalize_rows(rng.normal(size=(500, 384)) + 0.3)


@pytest.mark.parametrize(("dtype", "bytes_per"), [("float32", 4), ("float16", 2), ("int8", 1)])
def test_cosine_error_stays_within_the_stated_bound(vectors: np.ndarray, dtype: str, bytes_per: int):
    stored = CompactVectors.encode(vectors, dtype)
    assert stored.codes.nbytes == vectors.size * bytes_per
    rows = np.arange(len(vectors))
    for query in vectors[:20]:
        error = np.abs(stored.dot(query, rows) - vectors @ query).max()
        assert error <= stored.max_cosine_error(query) + 1e-6
    if dtype == "int8":
        assert 1e-4 < stored.max_cosine_error(vectors[0]) < 0.02  # measurable, and small
    np.testing.assert_allclose(stored.decode(rows[:3]), vectors[:3], atol=0.01)


def test_int8_keeps_neighbour_order(vectors: np.ndarray):
    stored = CompactVectors.encode(vectors, "int8")
    rows = np.arange(len(vectors))
    agree = [np.intersect1d(np.argsort(-stored.dot(q, rows))[:10], np.argsort(-(vectors @ q))[:10]).size
             for q in vectors[:50]]
    assert np.mean(agree) >= 9.5


def test_files_mmap_and_updates(vectors: np.ndarray, tmp_path: Path):
    stored = CompactVectors.encode(vectors, "int8")
    assert stored.save(tmp_path, "title_rerank") == ["title_rerank.npy", "title_rerank_scale.npy"]
    loaded = CompactVectors.load(tmp_path, "title_rerank", "int8")
    assert isinstance(loaded.codes, np.memmap)
    np.testing.assert_array_equal(loaded.decode(np.array([4])), stored.decode(np.array([4])))
    grown = loaded.appended(vectors[:2] * 2)  # beyond the build's range: clipped, still finite
    assert len(grown) == 502 and np.isfinite(grown.decode()).all()
    assert len(grown.without(np.array([0, 1]))) == 500 and len(loaded) == 500
    with pytest.raises(ArtifactError, match="int8"):
        CompactVectors.load(tmp_path, "title_rerank", "float16")
    with pytest.raises(ArtifactError, match="missing"):
        CompactVectors.load(tmp_path, "nothing", "int8")
