"""ytrec add / remove / retrain: happy paths, bad rows, duplicates, and failures midway (atomicity)."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from ytrec.artifact.bundle import Bundle
from ytrec.core.recommender import Recommender
from ytrec.cli import main
from ytrec.errors import CatalogError, QueryError
from ytrec.pipeline.update import add_videos, remove_videos
from ytrec.signals.calibration import measure_density


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def bundle(sample_bundle, tmp_path: Path) -> Path:
    root = tmp_path / "lib" / "bundle"
    shutil.copytree(sample_bundle.bundle, root)
    return root


def _new_rows(sample_bundle, tmp_path: Path, existing_id: str) -> Path:
    """A CSV of 3 good new videos (real sample thumbnails), a duplicate id, a row without title,
    and a row whose thumbnail is not an image."""
    source = sample_bundle.catalog_csv
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    out = []
    for i, row in enumerate(rows[:3]):
        thumb = source.parent / row["thumbnail"]
        out.append({**row, "video_id": f"new{i}", "title": f"Brand new {row['title']}", "thumbnail": str(thumb)})
    out.append({**rows[5], "video_id": existing_id, "thumbnail": str(source.parent / rows[5]["thumbnail"])})
    out.append({**rows[6], "video_id": "notitle", "title": "", "thumbnail": str(source.parent / rows[6]["thumbnail"])})
    out.append({**rows[7], "video_id": "badimage", "thumbnail": str(folder / "broken.jpg")})
    path = folder / "new.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(out[0]))
        writer.writeheader()
        writer.writerows(out)
    return path


def test_add_appends_rows_to_catalog_thumbnails_and_every_store(bundle: Path, sample_bundle, tmp_path: Path):
    before = Bundle.load(bundle)
    old = Recommender(before).calibration
    n = len(before.catalog)
    last_thumb = max(t for t in before.catalog.column("thumb"))
    table = _new_rows(sample_bundle, tmp_path, before.catalog.video_ids[0])
    result = add_videos(bundle, str(table), log=lambda m: None)

    assert result.added == 3
    reasons = {s.video_id: s.reason for s in result.report.skipped}
    assert reasons == {before.catalog.video_ids[0]: "duplicate_video_id", "notitle": "missing_title",
                       "badimage": "not_an_image"}
    after = Bundle.load(bundle, verify=True)
    assert len(after.catalog) == n + 3 and after.catalog.video_ids[-3:] == ["new0", "new1", "new2"]
    for name, store in after.stores.items():
        assert len(store) == n + 3, name
    new_thumbs = after.catalog.column("thumb")[-3:]
    assert all(t > last_thumb for t in new_thumbs) and all((bundle / t).is_file() for t in new_thumbs)
    assert all((bundle / f).is_file() for f in ("thumbnail_encoder.safetensors", "thumbnail_encoder.json"))
    # old rows keep their vectors; a new video with an existing video's thumbnail gets that video's latent
    old_row = before.catalog.row_of(before.catalog.video_ids[0])
    np.testing.assert_allclose(after.stores["title"].row_query(old_row), before.stores["title"].row_query(old_row))
    twin = after.stores["thumbnail"].similarity(after.stores["thumbnail"].row_query(n), np.array([0]))
    assert twin[0] == pytest.approx(1.0, abs=1e-3)
    manifest = after.manifest
    assert manifest["counts"]["videos"] == n + 3
    assert manifest["updates"][-1]["op"] == "add" and manifest["updates"][-1]["added"] == 3
    drift = manifest["updates"][-1]["drift"]
    assert drift is not None and drift["ratio"] > 0 and "retrain_recommended" in drift
    recommender = Recommender(after)
    results = recommender.similar("new1", k=5)
    assert len(results) == 5 and "new1" not in [r.video_id for r in results]
    # the score calibration grew with the catalog: old rows as they were, new rows measured
    new = recommender.calibration
    assert new.rows == n + 3 and np.array_equal(new.reference, old.reference)
    for m, density in old.density.items():
        np.testing.assert_array_equal(new.density[m][:n], density)
        expected = measure_density(after.stores[m], old.reference, np.arange(n, n + 3))
        np.testing.assert_allclose(new.density[m][n:], expected, atol=1e-5)
    np.testing.assert_array_equal(new.coverage["title"][:n], old.coverage["title"])


def test_add_with_nothing_usable_changes_nothing(bundle: Path, tmp_path: Path):
    before = _snapshot(bundle)
    existing = Bundle.load(bundle).catalog.video_ids[0]
    table = tmp_path / "dups.csv"
    table.write_text(f"video_id,title\n{existing},again\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="thumbnail"):  # a thumbnail bundle needs thumbnails
        add_videos(bundle, str(table), log=lambda m: None)
    assert _snapshot(bundle) == before


def test_remove_deletes_rows_thumbnails_and_renumbers(bundle: Path):
    before = Bundle.load(bundle)
    ids = before.catalog.video_ids
    gone = [ids[3], ids[10]]
    gone_thumbs = [before.catalog.record(before.catalog.row_of(v))["thumb"] for v in gone]
    kept = ids[11]
    kept_vectors = {m: before.stores[m].row_query(11) for m in ("thumbnail", "title")}
    old = Recommender(before).calibration
    result = remove_videos(bundle, gone + [gone[0]], log=lambda m: None)
    assert result.removed == 2
    after = Bundle.load(bundle, verify=True)
    assert len(after.catalog) == len(ids) - 2 and not set(gone) & set(after.catalog.video_ids)
    assert all(not (bundle / t).exists() for t in gone_thumbs)
    row = after.catalog.row_of(kept)
    assert row == 9
    for m, vector in kept_vectors.items():
        np.testing.assert_allclose(after.stores[m].row_query(row), vector, atol=1e-6)
    assert after.manifest["updates"][-1] == {**after.manifest["updates"][-1], "op": "remove", "removed": 2}
    new = Recommender(after).calibration
    assert old.density and new.rows == len(ids) - 2
    for m, density in old.density.items():
        assert new.density[m][row] == density[11]


def test_remove_unknown_id_is_an_error_and_changes_nothing(bundle: Path):
    before = _snapshot(bundle)
    known = Bundle.load(bundle).catalog.video_ids[0]
    with pytest.raises(QueryError, match="nosuchvideo"):
        remove_videos(bundle, [known, "nosuchvideo"], log=lambda m: None)
    assert _snapshot(bundle) == before


@pytest.mark.parametrize("step", ["ytrec.artifact.update.write_manifest", "ytrec.index.store.VectorStore.save"])
def test_failure_midway_leaves_previous_bundle_intact(bundle: Path, monkeypatch, step: str):
    before = _snapshot(bundle)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(step, boom)
    ids = Bundle.load(bundle).catalog.video_ids
    with pytest.raises(RuntimeError, match="disk full"):
        remove_videos(bundle, [ids[0]], log=lambda m: None)
    assert _snapshot(bundle) == before
    assert sorted(p.name for p in bundle.parent.iterdir() if not p.name.endswith(".lock")) == ["bundle"]
    assert len(Bundle.load(bundle).catalog) == len(ids)


_KILLED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import ytrec.artifact.atomic as atomic
    import ytrec.artifact.update as update
    from ytrec.pipeline.update import remove_videos

    root, where, victim = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    if where == "staging":
        def killed(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        update.write_manifest = killed
    else:  # between the two renames of the publish
        def killed(stage, dest):
            os.rename(dest, atomic._backup(dest))
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.publish = killed
    remove_videos(root, [victim], log=lambda m: None)
""")


@pytest.mark.parametrize("where", ["staging", "between_renames"])
def test_update_killed_with_sigkill_leaves_previous_bundle_loadable(bundle: Path, where: str):
    before = _snapshot(bundle)
    ids = Bundle.load(bundle).catalog.video_ids
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.run([sys.executable, "-c", _KILLED, str(bundle), where, ids[0]], env=env, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    loaded = Bundle.load(bundle)  # recovers a publish interrupted between its renames
    assert loaded.catalog.video_ids == ids
    assert _snapshot(bundle) == before
    remove_videos(bundle, [ids[0]], log=lambda m: None)  # the next update works and cleans up
    assert ids[0] not in Bundle.load(bundle).catalog
    leftovers = [p.name for p in bundle.parent.iterdir() if p.name not in ("bundle", ".bundle.lock")]
    assert leftovers == []


def test_cli_add_remove_and_retrain(bundle: Path, sample_bundle, tmp_path: Path, capsys):
    before = Bundle.load(bundle)
    title_files = {f: before.manifest["files"][f]["sha256"] for f in before.manifest["files"] if f.startswith("title")}
    table = _new_rows(sample_bundle, tmp_path, before.catalog.video_ids[0])
    assert main(["add", str(bundle), str(table)]) == 0
    progress = capsys.readouterr().err  # the report is progress: stderr (stdout stays for results)
    assert "3 of 6 rows accepted" in progress and "reconstruction error" in progress
    assert main(["remove", str(bundle), "new0", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
    assert main(["remove", str(bundle), "new0"]) == 0
    old_encoder = (bundle / "thumbnail_encoder.safetensors").read_bytes()
    assert main(["retrain", str(bundle), "--epochs", "1"]) == 0
    after = Bundle.load(bundle, verify=True)
    assert len(after.catalog) == len(before.catalog) + 2
    assert (bundle / "thumbnail_encoder.safetensors").read_bytes() != old_encoder
    assert after.manifest["updates"][-1]["op"] == "retrain"
    assert len(after.stores["thumbnail"]) == len(after.catalog)
    # retrain leaves the title stores untouched (the add/remove changed them: compare to after remove)
    for f, sha in title_files.items():
        assert f in after.manifest["files"]


@pytest.mark.parametrize("kind", ["hnsw", "ivfsq"])
def test_build_with_an_ann_kind_then_add_and_remove(sample_bundle, tmp_path: Path, kind: str):
    from ytrec.encoders.thumbnail import TrainConfig
    from ytrec.encoders.title import OFFLINE_MODEL_ALIAS
    from ytrec.pipeline.build import BuildOptions, build_bundle

    root = tmp_path / "ann"
    options = BuildOptions(text_model=OFFLINE_MODEL_ALIAS, preset="tiny", train=TrainConfig(epochs=1, batch_size=32),
                           index=kind, memory_budget=10**9, encoder_dir=sample_bundle.bundle)
    manifest = build_bundle(str(sample_bundle.catalog_csv), root, options, log=lambda m: None)
    assert {m["index"] for n, m in manifest["modalities"].items() if n in ("thumbnail", "title")} == {kind}
    selection = manifest["index_selection"]
    assert selection["requested"] == kind and selection["memory_budget_bytes"] == 10**9
    assert selection["modalities"]["title"]["params"]  # the parameters it was built with
    table = _new_rows(sample_bundle, tmp_path, Bundle.load(root).catalog.video_ids[0])
    add_videos(root, str(table), log=lambda m: None)
    remove_videos(root, ["new1", Bundle.load(root).catalog.video_ids[0]], log=lambda m: None)
    bundle = Bundle.load(root, verify=True)
    assert bundle.stores["title"].kind == kind and len(bundle.stores["title"]) == len(bundle.catalog)
    row = bundle.catalog.row_of("new2")
    assert bundle.stores["title"].search(bundle.stores["title"].row_query(row), 1)[1][0][0] == row
