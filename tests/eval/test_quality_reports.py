"""The evaluate report's neighbour grid, the cross-script check and build-time tuning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fixtures.bundles import SampleBundle
from tests.helpers.tiny_e5 import build_tiny_e5
from ytrec.artifact.bundle import Bundle
from ytrec.catalog.columns import ColumnMap
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.errors import QueryError
from ytrec.eval.autotune import check_tune_label, tune_bundle
from ytrec.eval.cross_script import cross_script
from ytrec.eval.neighbours import neighbour_grid
from ytrec.eval.relevance import LabelRelevance
from ytrec.pipeline.build import BuildOptions, build_bundle

TITLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sl-titles" / "titles.csv"


def test_neighbour_grid_spans_labels_and_leaves_out_the_query(sample_bundle: SampleBundle):
    recommender = Recommender.open(sample_bundle.bundle)
    relevance = LabelRelevance.from_catalog(recommender.catalog, "channel")
    grid = neighbour_grid(recommender, relevance, relevance.queries(), n_queries=5, k=4)
    assert grid["signal"] == "thumbnail" and len(grid["rows"]) == 5
    assert len({row["label"] for row in grid["rows"]}) == 5  # one query per channel first
    for row in grid["rows"]:
        neighbours = row["neighbours"]
        assert len(neighbours) == 4 and row["video_id"] not in {n["video_id"] for n in neighbours}
        assert [n["score"] for n in neighbours] == sorted((n["score"] for n in neighbours), reverse=True)
        assert all(n["relevant"] == (n["label"] == row["label"]) for n in neighbours)
        assert Path(row["thumbnail"]).is_file()


def test_evaluate_report_shows_the_neighbour_grid(sample_bundle: SampleBundle, tmp_path: Path):
    assert main(["-q", "evaluate", str(sample_bundle.bundle), "--sample", "10", "--report", str(tmp_path)]) == 0
    assert (tmp_path / "neighbours.png").stat().st_size > 10_000
    assert "![nearest neighbours](neighbours.png)" in (tmp_path / "report.md").read_text()
    assert len(json.loads((tmp_path / "metrics.json").read_text())["neighbours"]["rows"]) == 8


def test_cross_script_lexical_signal_cannot_cross_scripts(tmp_path: Path, capsys):
    """On the real Sinhala/English titles: char n-grams match mixed-script titles from Latin ones
    (shared Latin words) far better than pure-Sinhala titles from Latin ones (no shared letters)."""
    options = BuildOptions(columns=ColumnMap(channel="channel_id"), text_model=str(build_tiny_e5(tmp_path)))
    build_bundle(str(TITLES), tmp_path / "bundle", options, log=lambda m: None)
    recommender = Recommender.open(tmp_path / "bundle")
    relevance = LabelRelevance.from_catalog(recommender.catalog, "channel_id", {"channel": "channel_id"})
    result = cross_script(recommender, relevance, "title_script", log=lambda m: None)
    pairs = {(p["from"], p["to"]): p for p in result["pairs"]}
    assert ("tamil+latin", "sinhala") not in pairs  # 3 titles: too few to say anything
    lexical = [name for name in pairs["sinhala", "latin/other"]["systems"] if name not in ("random", "dense embedding")][0]
    across = pairs["sinhala", "latin/other"]["systems"][lexical]["ndcg@10"]
    shared_letters = pairs["latin/other", "sinhala+latin"]["systems"][lexical]["ndcg@10"]
    assert shared_letters > across + 0.3
    assert {"dense embedding", "random"} <= set(pairs["sinhala", "latin/other"]["systems"])
    assert main(["-q", "evaluate", str(tmp_path / "bundle"), "--label", "channel_id", "--sample", "20",
                 "--cross-script", "title_script"]) == 0
    assert "| sinhala | latin/other |" in capsys.readouterr().out
    with pytest.raises(QueryError, match="no column 'script'"):
        cross_script(recommender, relevance, "script", log=lambda m: None)


def test_tune_label_is_checked_first_and_tunes_the_published_bundle(sample_bundle: SampleBundle, tmp_path: Path):
    recommender = Recommender.open(sample_bundle.bundle)
    with pytest.raises(QueryError, match="no column 'nope'"):
        check_tune_label(recommender.catalog, "nope", {})
    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    manifest = tune_bundle(bundle, "channel", log=lambda m: None)
    fusion = Bundle.load(bundle, verify=True).manifest["fusion"]
    assert fusion == manifest["fusion"] and fusion["tuned"]["label"] == "channel"
    assert fusion["weights"] == fusion["tuned"]["after"]["weights"]


def test_build_refuses_an_unknown_tune_label_before_training(sample_bundle: SampleBundle, tmp_path: Path, capsys):
    catalog = sample_bundle.catalog_csv
    code = main(["-q", "build", str(catalog), "--out", str(tmp_path / "b"), "--text-model", "offline:all-MiniLM-L6-v2",
                 "--tune-label", "nope"])
    assert code == 2 and "no column 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
