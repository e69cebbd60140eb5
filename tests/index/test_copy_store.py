"""The copy-code store: 64-byte codes, searched through the graph, kept across save/load and updates."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ytrec.catalog.images import normalize
from ytrec.errors import ArtifactError
from ytrec.eval.transforms import TRANSFORMS
from ytrec.index.base import NewRows
from ytrec.index.copy_codes import (
    CODE_BYTES,
    FLIP_MASK,
    KEEP_STRIPS,
    STRIPS,
    best_similarity,
    copy_codes,
    pairwise_similarity,
    query_codes,
)
from ytrec.index.copy_store import CopyCodeStore, estimate_bytes
from ytrec.index.copy_synthetic import synthetic_copy_codes
from ytrec.index.registry import load_store


def _pictures(n: int, seed: int = 0) -> list[Image.Image]:
    """Distinct pictures: random rectangles and discs on random backgrounds, at thumbnail size."""
    rng = np.random.default_rng(seed)
    pictures = []
    for _ in range(n):
        img = Image.new("RGB", (320, 180), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(img)
        for _ in range(12):
            x, y = int(rng.integers(0, 300)), int(rng.integers(0, 160))
            w, h = int(rng.integers(20, 120)), int(rng.integers(20, 90))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            (draw.rectangle if rng.random() < 0.5 else draw.ellipse)((x, y, x + w, y + h), fill=colour)
        pictures.append(img)
    return pictures


@pytest.fixture(scope="module")
def pictures() -> list[Image.Image]:
    return _pictures(24)


@pytest.fixture(scope="module")
def store(pictures) -> CopyCodeStore:
    return CopyCodeStore.build("thumbnail_copy", pictures)


def test_codes_are_64_bytes_per_video(pictures):
    codes = copy_codes(pictures[:3])
    assert codes.shape == (3, CODE_BYTES) and codes.dtype == np.uint8 and CODE_BYTES <= 64
    assert query_codes(pictures[0]).shape[1] == CODE_BYTES


def test_every_transform_finds_its_original_first(store, pictures):
    for name, transform in TRANSFORMS.items():
        queries = store.encode([normalize(transform(p)) for p in pictures])
        _, rows = store.search(queries, 1)
        assert (rows[:, 0] == np.arange(len(pictures))).mean() >= 0.95, name


def test_similarity_is_one_for_the_same_picture_and_low_for_others(store):
    sims = store.pairwise(np.arange(len(store)))
    assert np.allclose(np.diag(sims), 1.0)
    assert np.allclose(sims, sims.T)
    off = sims[~np.eye(len(store), dtype=bool)]
    assert 0.0 <= off.min() and off.max() < 0.8
    assert np.allclose(store.similarity(store.row_query(3), np.arange(len(store))), sims[3], atol=1e-6)
    assert np.array_equal(store.pairwise_rows(np.array([1, 2])), store.pairwise(np.array([1, 2])))
    query_rows, rows = np.array([3, 9]), np.arange(len(store))
    expected = np.stack([store.similarity(store.row_query(int(r)), rows) for r in query_rows])
    assert np.array_equal(store.rows_similarity(query_rows, rows), expected)


def _reference_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The similarity as the module docstring defines it, the slow way: per strip the differing
    bits, the KEEP_STRIPS smallest summed, 1 - 2 x their share, clipped to [0, 1]."""
    bits = np.unpackbits(a ^ b).reshape(STRIPS, -1).sum(axis=1)
    share = np.sort(bits)[:KEEP_STRIPS].sum() / (KEEP_STRIPS * 64)
    return float(np.clip(1.0 - 2.0 * share, 0.0, 1.0))


def test_vectorized_similarity_matches_its_definition():
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 256, (30, CODE_BYTES), dtype=np.uint8)
    for i in range(10, 30):  # near-copies of the first rows: 0-40 bits flipped, some strips replaced
        codes[i] = codes[i % 10] ^ np.packbits(rng.random(CODE_BYTES * 8) < rng.uniform(0, 0.08))
        if i % 3 == 0:
            codes[i, 8 * (i % STRIPS): 8 * (i % STRIPS) + 8] = rng.integers(0, 256, 8)
    codes[5] = codes[4] ^ FLIP_MASK  # a mirrored copy
    pairs = pairwise_similarity(codes)
    for i in range(len(codes)):
        for j in range(len(codes)):
            expected = max(_reference_similarity(codes[i], codes[j]), _reference_similarity(codes[i] ^ FLIP_MASK, codes[j]))
            assert pairs[i, j] == pytest.approx(expected, abs=1e-6)
    hypotheses = codes[[3, 17, 22]]
    best = best_similarity(hypotheses, codes)
    assert best == pytest.approx([max(_reference_similarity(h, c) for h in hypotheses) for c in codes], abs=1e-6)
    assert pairs[4, 5] == 1.0 and best_similarity(hypotheses, codes[:0]).shape == (0,)


def test_search_shapes_and_bounds(store):
    scores, rows = store.search(store.row_query(5), 3)
    assert scores.shape == rows.shape == (1, 3) and rows[0, 0] == 5 and scores[0, 0] == pytest.approx(1.0)
    assert (np.diff(scores[0][rows[0] >= 0]) <= 0).all()
    scores, rows = store.search([store.row_query(1), store.row_query(2)], 100)
    assert rows.shape == (2, len(store)) and rows[0, 0] == 1 and rows[1, 0] == 2
    found = rows[0][rows[0] >= 0]  # only rows sharing a chunk with the query: no full scan
    assert len(set(found.tolist())) == len(found) and np.isneginf(scores[0][rows[0] < 0]).all()
    with pytest.raises(ArtifactError, match="copy-code query"):
        store.search(np.zeros((2, 10), dtype=np.uint8), 3)


def test_save_load_round_trip(store, tmp_path):
    files = store.save(tmp_path)
    assert all((tmp_path / f).is_file() for f in files)
    loaded = load_store("thumbnail_copy", tmp_path, store.describe())
    assert isinstance(loaded, CopyCodeStore) and isinstance(loaded.codes, np.memmap)
    assert np.array_equal(np.asarray(loaded.codes), store.codes)
    query = store.row_query(7)
    assert np.array_equal(loaded.search(query, 5)[1], store.search(query, 5)[1])
    offsets = np.load(tmp_path / files[2])
    offsets[3, 100] = len(store) + 5
    np.save(tmp_path / files[2], offsets)
    with pytest.raises(ArtifactError, match="do not match"):
        load_store("thumbnail_copy", tmp_path, store.describe())
    (tmp_path / files[1]).unlink()
    with pytest.raises(ArtifactError, match="missing"):
        load_store("thumbnail_copy", tmp_path, store.describe())


def test_add_and_remove_return_new_stores(store, pictures):
    extra = _pictures(3, seed=9)
    added = store.with_rows_added(NewRows([{}] * 3, {"thumbnail_copy": copy_codes(extra)}))
    assert len(added) == len(store) + 3 and len(store) == len(pictures)
    _, rows = added.search(added.encode([normalize(TRANSFORMS["jpeg"](extra[1]))]), 1)
    assert rows[0, 0] == len(store) + 1
    removed = added.with_rows_removed(np.array([0, 1]))
    assert len(removed) == len(added) - 2
    assert removed.search(removed.encode([pictures[5]]), 1)[1][0, 0] == 3  # rows after 0, 1 moved up
    with pytest.raises(ArtifactError, match="vectors"):
        store.with_rows_added(NewRows([{}] * 2, {"thumbnail_copy": copy_codes(extra)}))


def test_estimate_and_synthetic_codes():
    assert estimate_bytes(1_000_000) < 300_000_000
    codes = synthetic_copy_codes(2_000, seed=1)
    assert codes.shape == (2_000, CODE_BYTES) and codes.dtype == np.uint8
    store = CopyCodeStore.from_codes("c", codes)
    sims = store.search([store.row_query(r) for r in range(50)], 2)[0]
    assert (sims[:, 0] == 1.0).all() and np.median(sims[:, 1]) < 0.6
