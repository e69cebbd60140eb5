"""The whole pipeline for real: sample catalog and real thumbnails → bundle → recommendations."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.bundles import SampleBundle
from ytrec.artifact.bundle import Bundle
from ytrec.artifact.manifest import MANIFEST
from ytrec.catalog.columns import ColumnMap
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.encoders.thumbnail import TrainConfig
from ytrec.encoders.title import OFFLINE_MODEL_ALIAS
from ytrec.errors import ArtifactError, QueryError
from ytrec.pipeline.build import BuildOptions, build_bundle
from ytrec.signals.calibration import CALIBRATION_FILE, HUB_DISCOUNT, Calibration

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FAST = dict(text_model=OFFLINE_MODEL_ALIAS, preset="tiny", train=TrainConfig(epochs=2, batch_size=32))


@pytest.fixture(scope="module")
def sample_csv(sample_bundle: SampleBundle) -> Path:
    return sample_bundle.catalog_csv


@pytest.fixture(scope="module")
def bundle(sample_bundle: SampleBundle) -> Path:
    """The session's sample bundle (120 videos, 10 channels, tiny preset, offline title model)."""
    return sample_bundle.bundle


def test_bundle_layout_and_manifest(bundle: Path):
    loaded = Bundle.load(bundle, verify=True)
    manifest = loaded.manifest
    assert manifest["counts"]["videos"] == 120 and manifest["counts"]["skipped_rows"] == 0
    assert {"thumbnail", "title"} <= set(manifest["modalities"])
    assert manifest["text_model"]["config"]["model"] == OFFLINE_MODEL_ALIAS
    assert manifest["thumbnail_encoder"]["config"]["latent_dim"] == 16
    for name in ("catalog.parquet", "thumbnail_encoder.safetensors", "thumbnail_encoder.json", "title.index",
                 CALIBRATION_FILE):
        assert name in manifest["files"]
    assert manifest["fusion"]["calibration"]["reference_rows"] == 120
    assert len(list((bundle / "thumbs").glob("*.jpg"))) == 120
    assert (bundle / "loss_curve.png").is_file() and (bundle / "reconstructions.png").is_file()


def test_similar_is_ranked_scored_and_excludes_the_query(bundle: Path):
    recommender = Recommender.open(bundle)
    query = recommender.catalog.video_ids[5]
    for mode in ("hybrid", "thumbnail", "title"):
        results = recommender.similar(query, k=8, mode=mode)
        assert len(results) == 8 and query not in {r.video_id for r in results}
        assert [r.rank for r in results] == list(range(1, 9))
        scores = [r.score for r in results]
        assert scores == sorted(scores, reverse=True)
        # both similarities are computed for every candidate, whichever index found it
        assert all(r.thumbnail_score is not None and r.title_score is not None for r in results)
        # pool query expansion (fusion/expansion.py) re-weighs every contribution alike: they add up
        assert all(sum(r.contributions.values()) == pytest.approx(r.score, abs=1e-5) for r in results)
    assert recommender.expansion == 2  # a new build expands by default
    recommender.expansion = 0  # without it, the score is the fused similarity to the query alone
    calibration = recommender.calibration
    density, coverage = calibration.density, calibration.coverage["title"]
    assert set(density) == {"thumbnail", "title", "title_lexical"}  # the copy code finds copies, not hubs
    # each similarity less its candidate's hub discount; the title weighed by how much of the query title the model reads
    row = recommender.catalog.row_of
    hybrid = recommender.similar(query, k=8, weights={"thumbnail": 1.0, "title": 3.0})
    title_weight = 3.0 * float(coverage[row(query)])
    for r in hybrid:
        thumb = r.thumbnail_score - HUB_DISCOUNT * density["thumbnail"][row(r.video_id)]
        title = r.title_score - HUB_DISCOUNT * density["title"][row(r.video_id)]
        assert r.score == pytest.approx((thumb + title_weight * title) / (1 + title_weight), abs=1e-5)
    recommender.calibration = Calibration()  # a bundle built before calibration: raw similarities fused
    thumbnail = recommender.similar(query, k=8, mode="thumbnail")
    assert [r.score for r in thumbnail] == [r.thumbnail_score for r in thumbnail]
    hybrid = recommender.similar(query, k=8, weights={"thumbnail": 1.0, "title": 3.0})
    for r in hybrid:
        assert r.score == pytest.approx((r.thumbnail_score + 3 * r.title_score) / 4, abs=1e-5)


def test_cold_start_and_search(bundle: Path, sample_csv: Path):
    recommender = Recommender.open(bundle)
    record = recommender.catalog.record(3)
    image = sample_csv.parent / "thumbnails" / f"{record['video_id']}.jpg"
    results = recommender.recommend_new(image, record["title"], k=5)
    assert results[0].video_id == record["video_id"]  # the same video, not in the catalog, finds itself
    assert results[0].thumbnail_score == pytest.approx(1.0, abs=1e-4)
    hits = recommender.search(record["title"], k=3)
    assert hits[0].video_id == record["video_id"]
    with pytest.raises(QueryError, match="thumbnail"):
        recommender.recommend_new(None, "only a title", k=5)
    with pytest.raises(QueryError, match="thumbnail rejected"):
        recommender.recommend_new(b"not an image", "t", k=5)
    with pytest.raises(QueryError, match="empty"):
        recommender.search("   ")


def test_querying_with_another_model_is_refused(bundle: Path):
    with pytest.raises(ArtifactError, match="(?i)model"):
        Recommender.open(bundle, text_model="intfloat/multilingual-e5-base")


def test_cli_commands(bundle: Path, sample_csv: Path, capsys):
    vid = Recommender.open(bundle).catalog.video_ids[0]
    assert main(["-q", "recommend", str(bundle), vid, "-k", "4", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 4 and {"score", "thumbnail_score", "title_score"} <= set(results[0])
    assert main(["recommend", str(bundle), vid, "-k", "3", "--mode", "title"]) == 0
    assert "score" in capsys.readouterr().out
    image = sample_csv.parent / "thumbnails" / f"{vid}.jpg"
    assert main(["recommend", str(bundle), "--image", str(image), "--title", "Cricket highlights", "-k", "3"]) == 0
    assert main(["search", str(bundle), "cricket", "-k", "3"]) == 0
    assert main(["info", str(bundle), "--verify"]) == 0
    assert "checksums verified" in capsys.readouterr().out


def test_cli_says_why_a_copy_list_is_short(bundle: Path, capsys):
    """Copy mode lists only possible copies: fewer than k rows come with the reason, on stderr
    under --json so stdout stays JSON."""
    vid = Recommender.open(bundle).catalog.video_ids[0]
    assert main(["-q", "recommend", str(bundle), vid, "-k", "20", "--mode", "thumbnail_copy", "--json"]) == 0
    captured = capsys.readouterr()
    results = json.loads(captured.out)
    assert len(results) < 20
    assert f"{len(results)} of 20 results: thumbnail_copy lists only videos whose thumbnail may be a copy" in captured.err
    assert main(["recommend", str(bundle), vid, "-k", "20", "--mode", "thumbnail_copy"]) == 0
    assert "results: thumbnail_copy lists only" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["recommend", "{b}", "NO_SUCH_ID"], "unknown video id 'NO_SUCH_ID'"),
        (["recommend", "{b}", "{v}", "-k", "0"], "k must be an integer between 1 and"),
        (["recommend", "{b}", "{v}", "--w-title", "-1"], "must be a finite number >= 0"),
        (["recommend", "{b}", "{v}", "--w-title", "0", "--w-thumbnail", "0"], "at least one weight"),
        (["info", "/nonexistent/bundle"], "no bundle at"),
        (["build", "/nonexistent.csv", "--out", "/tmp/x"], "catalog table not found"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(bundle: Path, argv, message, capsys):
    vid = Recommender.open(bundle).catalog.video_ids[0]
    argv = [a.format(b=bundle, v=vid) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_real_thumbnails_end_to_end(tmp_path: Path):
    out = tmp_path / "real"
    options = BuildOptions(columns=ColumnMap(thumbnail="image"), **FAST)
    manifest = build_bundle(str(SHARED / "thumbs-real" / "metadata.csv"), out, options, log=lambda m: None)
    assert manifest["counts"]["videos"] == 130 and manifest["counts"]["skipped_rows"] == 1
    recommender = Recommender.open(out)
    results = recommender.similar(recommender.catalog.video_ids[0], k=10)
    assert len(results) == 10
    assert "clickbait" in recommender.catalog.extra_columns


def test_titles_only_catalog(tmp_path: Path):
    out = tmp_path / "titles"
    options = BuildOptions(columns=ColumnMap(channel="channel_id"), **FAST)
    build_bundle(str(SHARED / "sl-titles" / "titles.csv"), out, options, log=lambda m: None)
    recommender = Recommender.open(out)
    assert "thumbnail" not in recommender.bundle.modalities
    results = recommender.similar(recommender.catalog.video_ids[0], k=5)
    assert len(results) == 5 and results[0].thumbnail_score is None
    with pytest.raises(QueryError, match="unavailable"):
        recommender.similar(recommender.catalog.video_ids[0], k=5, mode="thumbnail")


def test_build_killed_midway_leaves_previous_bundle_loadable(bundle: Path, sample_csv: Path, tmp_path: Path):
    target = tmp_path / "live"
    subprocess.run(["cp", "-r", str(bundle), str(target)], check=True)
    before = (target / MANIFEST).read_bytes()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # a build long enough to be killed while it trains
    proc = subprocess.Popen(
        [sys.executable, "-m", "ytrec.cli", "build", str(sample_csv), "--out", str(target),
         "--text-model", OFFLINE_MODEL_ALIAS, "--preset", "tiny", "--epochs", "500"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    for line in proc.stdout:
        if "training thumbnail autoencoder" in line:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (target / MANIFEST).read_bytes() == before
    Bundle.load(target, verify=True)
    Recommender.open(target).similar(Recommender.open(target).catalog.video_ids[0], k=3)
