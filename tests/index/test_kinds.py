"""Every dense store kind: true neighbours on clustered data, save/load (mmap) round trip, per-query
knobs, and incremental add/remove that match a store built from scratch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ytrec.errors import ArtifactError
from ytrec.index.base import NewRows, SearchParams
from ytrec.index.hnsw import HNSWStore
from ytrec.index.ivf import IVFPQStore, IVFSQStore
from ytrec.index.registry import load_store
from ytrec.index.store import VectorStore, normalize_rows

KINDS = [
    (HNSWStore, {}),
    (HNSWStore, {"storage": "float16"}),
    (HNSWStore, {"storage": "int8", "M": 16}),
    (IVFSQStore, {}),
    (IVFPQStore, {"m": 8, "nbits": 6}),
]
IDS = ["hnsw", "hnsw-f16", "hnsw-int8", "ivfsq", "ivfpq"]


def clustered(n: int, d: int = 32, topics: int = 30, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, d))
    return normalize_rows(centres[rng.integers(0, topics, n)] + 0.4 * rng.normal(size=(n, d)))


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(3000)


def recall_at(store, exact: VectorStore, queries: np.ndarray, k: int = 10, params=None) -> float:
    truth = exact.search(queries, k)[1]
    found = store.search(queries, k) if params is None else store.search(queries, k, params)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found[1], truth)]))


@pytest.mark.parametrize(("cls", "params"), KINDS, ids=IDS)
def test_finds_true_neighbours_and_round_trips(cls, params, data: np.ndarray, tmp_path: Path):
    store = cls.build("title", data, **params)
    exact = VectorStore.build("title", data)
    assert len(store) == len(data) and store.dimension == data.shape[1]
    assert recall_at(store, exact, data[:200]) >= 0.9
    rows = np.arange(0, 3000, 97)
    np.testing.assert_allclose(store.similarity(data[5], rows), exact.similarity(data[5], rows), atol=0.02)
    np.testing.assert_allclose(store.row_query(5), data[5], atol=0.02)
    files = store.save(tmp_path)
    meta = store.describe()
    assert meta["index"] == cls.kind and set(files) <= {p.name for p in tmp_path.iterdir()}
    for mmap in (True, False):
        loaded = load_store("title", tmp_path, meta, mmap=mmap)
        assert type(loaded) is cls and len(loaded) == len(store)
        np.testing.assert_array_equal(loaded.search(data[:20], 10)[1], store.search(data[:20], 10)[1])


@pytest.mark.parametrize(("cls", "params"), KINDS, ids=IDS)
def test_add_and_remove_match_a_fresh_build(cls, params, data: np.ndarray, tmp_path: Path):
    base, extra = data[:2500], data[2500:]
    store = cls.build("title", base, **params)
    store.save(tmp_path)
    writable = load_store("title", tmp_path, store.describe(), mmap=False)
    grown = writable.with_rows_added(NewRows([{}] * len(extra), {"title": extra}))
    assert len(grown) == len(data) and len(writable) == len(base)  # the original is untouched
    exact = VectorStore.build("title", data)
    assert recall_at(grown, exact, data[2500:2700]) >= 0.85  # new rows are found, with their row numbers
    assert grown.search(data[2600], 1)[1][0][0] == 2600

    removed = np.array([0, 7, 2599, 2999])
    shrunk = grown.with_rows_removed(removed)
    keep = np.delete(data, removed, axis=0)
    assert len(shrunk) == len(keep)
    exact_keep = VectorStore.build("title", keep)
    assert recall_at(shrunk, exact_keep, keep[:200]) >= 0.85
    assert shrunk.search(keep[2596], 1)[1][0][0] == 2596  # row 2600 moved up by the 4 removed before it
    np.testing.assert_allclose(shrunk.row_query(2596), keep[2596], atol=0.02)


def test_mapped_store_refuses_to_update(data: np.ndarray, tmp_path: Path):
    store = IVFSQStore.build("title", data)
    store.save(tmp_path)
    mapped = load_store("title", tmp_path, store.describe())
    with pytest.raises(ArtifactError, match="memory-mapped"):
        mapped.with_rows_removed(np.array([1]))


def test_search_params_change_recall(data: np.ndarray):
    exact = VectorStore.build("t", data)
    ivf = IVFSQStore.build("t", data, nlist=64, nprobe=64)
    assert recall_at(ivf, exact, data[:200], params=SearchParams(nprobe=1)) < recall_at(ivf, exact, data[:200])
    hnsw = HNSWStore.build("t", data, M=8, ef_search=16)
    high = recall_at(hnsw, exact, data[:200], k=10, params=SearchParams(ef_search=200))
    assert high >= recall_at(hnsw, exact, data[:200], k=10) and high >= 0.97
    pq = IVFPQStore.build("t", data, m=4, nbits=6, nprobe=64)
    assert recall_at(pq, exact, data[:200], params=SearchParams(rerank=0)) < recall_at(pq, exact, data[:200])
    # flat ignores the knobs
    np.testing.assert_array_equal(exact.search(data[:5], 5, SearchParams(nprobe=3))[1], exact.search(data[:5], 5)[1])


def test_search_params_are_validated():
    from ytrec.errors import QueryError

    with pytest.raises(QueryError, match="nprobe"):
        SearchParams(nprobe=0)
    with pytest.raises(QueryError, match="ef_search"):
        SearchParams(ef_search="many")
    assert SearchParams(rerank=0).to_dict() == {"rerank": 0}


def test_bad_parameters_are_artifact_errors(data: np.ndarray):
    with pytest.raises(ArtifactError, match="unknown hnsw"):
        HNSWStore.build("t", data, efSearch=3)
    with pytest.raises(ArtifactError, match="must divide"):
        IVFPQStore.build("t", data, m=7)
    with pytest.raises(ArtifactError, match="exceeds"):
        IVFSQStore.build("t", data[:10], nlist=64)


def test_flat_store_updates(data: np.ndarray):
    store = VectorStore.build("t", data[:100])
    grown = store.with_rows_added(NewRows([{}] * 2, {"t": data[100:102]}))
    assert len(grown) == 102 and grown.search(data[101], 1)[1][0][0] == 101
    shrunk = grown.with_rows_removed(np.array([0]))
    assert len(shrunk) == 101 and shrunk.search(data[101], 1)[1][0][0] == 100
    with pytest.raises(ArtifactError, match="no new t vectors"):
        store.with_rows_added(NewRows([{}], {}))


@pytest.mark.parametrize(("cls", "params"), [*KINDS, (VectorStore, {})], ids=[*IDS, "flat"])
def test_rows_similarity_is_each_row_query_scored(cls, params, data: np.ndarray):
    """Query expansion's one product per store equals a similarity call per row query."""
    store = cls.build("title", data[:500], **params)
    query_rows, rows = np.array([3, 40, 41]), np.arange(0, 500, 7)
    expected = np.stack([store.similarity(store.row_query(int(r)), rows) for r in query_rows])
    np.testing.assert_allclose(store.rows_similarity(query_rows, rows), expected, atol=1e-5)
    assert store.rows_similarity(np.array([], dtype=np.int64), rows).shape == (0, len(rows))
