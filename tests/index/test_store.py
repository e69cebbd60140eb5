from pathlib import Path

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.store import VectorStore, normalize_rows


def test_normalize_rows_keeps_zero_rows_finite():
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_search_is_cosine_and_maps_rows(tmp_path: Path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    store = VectorStore.build("title", vectors)
    scores, rows = store.search(vectors[7] * 5, 3)
    assert rows[0][0] == 7 and scores[0][0] == pytest.approx(1.0, abs=1e-5)
    expected = normalize_rows(vectors) @ normalize_rows(vectors[7:8])[0]
    np.testing.assert_allclose(store.similarity(vectors[7], np.arange(50)), expected, rtol=1e-5, atol=1e-6)
    assert rows[0].tolist() == np.argsort(-expected)[:3].tolist()
    store.save(tmp_path)
    loaded = VectorStore.load("title", tmp_path, {})
    assert len(loaded) == 50 and loaded.dimension == 8
    np.testing.assert_array_equal(loaded.search(vectors[7], 3)[1], rows)


def test_k_larger_than_store_is_clamped():
    store = VectorStore.build("t", np.eye(3, dtype=np.float32))
    assert store.search(np.array([1.0, 0, 0]), 10)[1].shape == (1, 3)


def test_missing_files_are_artifact_errors(tmp_path: Path):
    with pytest.raises(ArtifactError, match="missing title_vectors.npy"):
        VectorStore.load("title", tmp_path)
