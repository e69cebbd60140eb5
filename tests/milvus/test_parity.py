"""Same answers: a bundle published to Milvus recommends what the exact local (Faiss flat) bundle does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from tests.fixtures.bundles import SampleBundle
from ytrec.artifact.bundle import Bundle
from ytrec.catalog.columns import ColumnMap
from ytrec.cli import main
from ytrec.core.filters import Filters
from ytrec.core.recommender import Recommender
from ytrec.encoders.thumbnail import TrainConfig
from ytrec.encoders.title import OFFLINE_MODEL_ALIAS
from ytrec.index.base import Where
from ytrec.milvus.store import MilvusStore
from ytrec.pipeline.build import BuildOptions, build_bundle

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MIN_OVERLAP = 0.95


def overlap_at_10(local: Recommender, remote: Recommender, mode: str, **kwargs) -> float:
    shares = []
    for vid in local.catalog.video_ids:
        a = {r.video_id for r in local.similar(vid, 10, mode=mode, **kwargs)}
        b = {r.video_id for r in remote.similar(vid, 10, mode=mode, **kwargs)}
        shares.append(len(a & b) / max(len(a), 1))
    return float(np.mean(shares))


def test_published_manifest_names_collections_not_secrets(milvus_bundle: Path, milvus):
    manifest = json.loads((milvus_bundle / "manifest.json").read_text())
    kinds = {name: meta["index"] for name, meta in manifest["modalities"].items()}
    assert kinds["thumbnail"] == kinds["title"] == "milvus"
    assert kinds["title_lexical"] != "milvus"  # the lexical signal stays local
    copy = manifest["modalities"]["thumbnail_copy"]
    assert copy["index"] == "milvus" and copy["vector"]["vector"] == "binary" and copy["vector"]["dimension"] == 512
    title = manifest["modalities"]["title"]
    assert title["collection"] == "t_sample_title" and title["uri"] == milvus.uri
    assert title["vector"]["index_type"] == "HNSW" and title["vector"]["index_params"]["M"] == 16
    assert title["read_ts"] > 0 and title["source"]["index"] == "flat"
    assert all("token" not in json.dumps(manifest["modalities"][m]) for m in ("thumbnail", "title"))
    assert not (milvus_bundle / "title.index").exists() and (milvus_bundle / "title_milvus_pks.npy").is_file()
    assert manifest["updates"][-1]["op"] == "publish"


def test_sample_catalog_top10_agrees_with_exact_faiss(sample_bundle: SampleBundle, milvus_bundle: Path):
    local, remote = Recommender.open(sample_bundle.bundle), Recommender.open(milvus_bundle)
    for mode in ("hybrid", "thumbnail", "title_dense"):
        overlap = overlap_at_10(local, remote, mode)
        print(f"sample catalog, mode {mode}: overlap@10 = {overlap:.3f}")
        assert overlap >= MIN_OVERLAP, (mode, overlap)


def test_copy_mode_finds_at_least_what_the_local_copy_index_finds(sample_bundle: SampleBundle, milvus_bundle: Path):
    """Copy codes: Milvus scans every code exactly (Hamming per query hypothesis) where the local
    store looks up hash-table chunks, so at every rank its score is at least the local one."""
    local, remote = Recommender.open(sample_bundle.bundle), Recommender.open(milvus_bundle)
    local.expansion = remote.expansion = 0  # scores as the stores give them (expansion mixes in the pool's best)
    for vid in local.catalog.video_ids:
        a = [r.score for r in local.similar(vid, 10, mode="thumbnail_copy")]
        b = [r.score for r in remote.similar(vid, 10, mode="thumbnail_copy")]
        assert len(b) >= len(a) and all(y >= x - 1e-6 for x, y in zip(a, b)), (vid, a, b)


def test_store_search_and_scores_match_exact_vectors(sample_bundle: SampleBundle, milvus_bundle: Path):
    local, remote = Bundle.load(sample_bundle.bundle), Bundle.load(milvus_bundle)
    for name in ("thumbnail", "title"):
        exact, store = local.stores[name], remote.stores[name]
        assert isinstance(store, MilvusStore) and len(store) == len(exact)
        queries = np.stack([exact.row_query(r) for r in range(0, len(exact), 7)])
        tenth, _ = exact.search(queries, 10)
        scores, got = store.search(queries, 10)
        # tie-aware recall: the tiny test autoencoder rates many thumbnails alike (cosine ~1 to 5 digits)
        exact_scores = np.stack([exact.similarity(q, g) for q, g in zip(queries, got)])
        recall = np.mean(exact_scores >= tenth[:, -1:] - 1e-5)
        assert recall >= MIN_OVERLAP, (name, recall)
        rows = np.arange(0, len(exact), 3)
        np.testing.assert_allclose(store.similarity(queries[0], rows), exact.similarity(queries[0], rows), atol=1e-5)
        np.testing.assert_allclose(store.row_query(5), exact.row_query(5), atol=1e-6)
        np.testing.assert_allclose(store.pairwise(rows[:6]), exact.pairwise(rows[:6]), atol=1e-5)
        np.testing.assert_allclose(scores[:, 0], np.einsum("ij,ij->i", queries, np.stack([exact.row_query(r) for r in got[:, 0]])), atol=1e-5)


def test_vectors_fetched_beyond_the_cache_size(milvus_bundle: Path, monkeypatch):
    import ytrec.milvus.store as milvus_store

    monkeypatch.setattr(milvus_store, "CACHE_ROWS", 4)
    store = Bundle.load(milvus_bundle).stores["title"]
    query = store.row_query(0)
    for start in range(0, 60, 7):  # every call needs more rows than the cache holds, some cached
        rows = np.arange(start, start + 10)
        assert store.similarity(query, rows).shape == (10,)
    assert len(store._cache) <= 4


def test_filters_are_pushed_down_as_milvus_expressions(milvus_bundle: Path):
    bundle = Bundle.load(milvus_bundle)
    store = bundle.stores["title"]
    channels = np.array(bundle.catalog.column("channel"), dtype=object)
    categories = np.array(bundle.catalog.column("category"), dtype=object)
    query = store.row_query(0)
    two = tuple(sorted(set(channels))[:2])
    one_category = categories[0]
    cases = [
        (Where(channels=two), np.isin(channels, two)),
        (Where(categories=(one_category,)), categories == one_category),
        (Where(excluded_channels=(channels[0],)), channels != channels[0]),
        (Where(channels=two, categories=(one_category,)), np.isin(channels, two) & (categories == one_category)),
    ]
    for where, allowed in cases:
        _, rows = store.search_filtered(query, 10, where)
        rows = rows[0][rows[0] >= 0]
        assert len(rows) == min(10, allowed.sum()) and allowed[rows].all(), where
        exact = np.argsort(-store.similarity(query, np.flatnonzero(allowed)))[:10]
        assert set(np.flatnonzero(allowed)[exact]) == set(rows), where


def test_recommender_filters_give_the_local_answer(sample_bundle: SampleBundle, milvus_bundle: Path, monkeypatch):
    local, remote = Recommender.open(sample_bundle.bundle), Recommender.open(milvus_bundle)
    pushed = []
    original = MilvusStore.search_filtered
    monkeypatch.setattr(MilvusStore, "search_filtered",
                        lambda self, q, k, where, params=None: pushed.append(where) or original(self, q, k, where, params))
    channels = sorted(set(local.catalog.column("channel")))
    for filters in (Filters(channels=tuple(channels[:2])), Filters(exclude_own_channel=True),
                    Filters(categories=(local.catalog.column("category")[0],))):
        for vid in local.catalog.video_ids[:20]:
            a = [r.video_id for r in local.similar(vid, 5, filters=filters)]
            b = [r.video_id for r in remote.similar(vid, 5, filters=filters)]
            assert len(set(a) & set(b)) >= 4, (filters, vid, a, b)
    assert pushed and all(w is not None for w in pushed)  # the Recommender handed the filters to Milvus


def test_real_thumbnails_agree_after_cli_publish(milvus, tmp_path: Path, capsys):
    local = tmp_path / "real"
    options = BuildOptions(columns=ColumnMap(thumbnail="image"), text_model=OFFLINE_MODEL_ALIAS, preset="tiny",
                           train=TrainConfig(epochs=2, batch_size=32), index="flat")
    build_bundle(str(SHARED / "thumbs-real" / "metadata.csv"), local, options, log=lambda m: None)
    remote = tmp_path / "real-milvus"
    shutil.copytree(local, remote)
    assert main(["publish", str(remote), "--milvus-uri", milvus.uri, "--milvus-prefix", "t_real"]) == 0
    assert "published" in capsys.readouterr().err  # logs go to stderr
    a, b = Recommender.open(local), Recommender.open(remote)
    for mode in ("hybrid", "thumbnail"):
        overlap = overlap_at_10(a, b, mode)
        print(f"thumbs-real, mode {mode}: overlap@10 = {overlap:.3f}")
        assert overlap >= MIN_OVERLAP, (mode, overlap)


def test_commands_work_unchanged_on_a_milvus_bundle(sample_bundle: SampleBundle, milvus_bundle: Path, capsys):
    vid = Bundle.load(sample_bundle.bundle).catalog.video_ids[0]
    assert main(["info", str(milvus_bundle)]) == 0
    assert "milvus store" in capsys.readouterr().out

    def printed(argv: list[str]):
        assert main(argv) == 0
        return json.loads(capsys.readouterr().out)

    lists = [printed(["recommend", str(b), vid, "-k", "5", "--json"]) for b in (sample_bundle.bundle, milvus_bundle)]
    assert [r["video_id"] for r in lists[0]] == [r["video_id"] for r in lists[1]]
    metrics = [printed(["evaluate", str(b), "--sample", "30", "--json"]) for b in (sample_bundle.bundle, milvus_bundle)]
    assert metrics[0].keys() == metrics[1].keys()
