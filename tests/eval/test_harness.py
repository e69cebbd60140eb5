"""evaluate / tune end to end on the shared sample bundle (small query samples to stay fast)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


from tests.fixtures.bundles import SampleBundle
from ytrec.artifact.bundle import Bundle
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.eval.harness import EvalConfig, evaluate
from ytrec.eval.tune import TuneConfig, tune, weight_grid


def test_evaluate_compares_every_system_on_the_same_queries(sample_bundle: SampleBundle):
    report = evaluate(Recommender.open(sample_bundle.bundle),
                      EvalConfig(label="channel", ks=[5, 10], sample=24, copies=True, copy_sample=8), log=lambda m: None)
    systems = report["systems"]
    assert report["default"] == "hybrid weighted_cosine" and systems[report["default"]]["default"]
    for name in ("random", "original (L2 per modality, set union)", "thumbnail only (autoencoder)",
                 "title only (char n-gram TF-IDF)", "pixels: phash", "hybrid rrf"):
        assert systems[name]["queries"] == 24
    assert systems["hybrid weighted_cosine"]["ndcg@10"] > systems["random"]["ndcg@10"]
    assert 0 <= systems["random"]["coverage@5"] <= 1 and "ild_thumbnail@10" in systems["random"]
    copies = report["copies"]
    assert copies["copy code"]["rescale/recall@1"] == 1.0
    assert copies["copy code"]["combined/recall@1"] >= 0.75 and copies["copy code"]["flip/recall@1"] == 1.0


def test_weight_grid():
    grid = weight_grid(["a", "b"], 0.5)
    assert grid == [{"a": 0.0, "b": 1.0}, {"a": 0.5, "b": 0.5}, {"a": 1.0, "b": 0.0}]
    assert len(weight_grid(["a", "b", "c"], 0.1)) == 66


def test_tune_cli_stores_the_choice_atomically(sample_bundle: SampleBundle, tmp_path: Path, capsys):
    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    result = tune(Recommender.open(bundle), TuneConfig(step=0.5, sample=30), log=lambda m: None)
    after, before = result["after"], result["before"]
    assert after["validation_ndcg@10"] >= before["validation_ndcg@10"]
    assert main(["-q", "tune", str(bundle), "--label", "channel", "--step", "0.5", "--sample", "30"]) == 0
    assert "after" in capsys.readouterr().out
    fusion = Bundle.load(bundle, verify=True).manifest["fusion"]
    assert fusion["method"] == after["method"] and fusion["weights"] == after["weights"]
    assert fusion["tuned"]["label"] == "channel"
    assert Recommender.open(bundle).fusion.name == after["method"]  # used by default afterwards


def test_evaluate_cli_writes_the_report(sample_bundle: SampleBundle, tmp_path: Path, capsys):
    assert main(["-q", "evaluate", str(sample_bundle.bundle), "--sample", "10", "--report", str(tmp_path)]) == 0
    assert "[default]" in capsys.readouterr().out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["default"] in metrics["systems"]
    assert (tmp_path / "ndcg_at_10.png").stat().st_size > 0 and "nDCG" in (tmp_path / "report.md").read_text()
    assert main(["-q", "evaluate", str(sample_bundle.bundle), "--label", "nope"]) == 2


def test_tune_cli_stores_the_choice_under_the_bundle_lock(sample_bundle: SampleBundle, tmp_path: Path, monkeypatch):
    """An `add` publishing while `tune` writes must not be undone by tune's older manifest."""
    import fcntl
    import os

    import ytrec.artifact.rewrite as rewrite
    from ytrec.artifact.update import lock_path

    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    held = []
    original = rewrite.rewrite_manifest

    def checked(root, update):
        fd = os.open(lock_path(bundle), os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held.append(False)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(fd)
        return original(root, update)

    monkeypatch.setattr(rewrite, "rewrite_manifest", checked)
    assert main(["-q", "tune", str(bundle), "--label", "channel", "--step", "0.5", "--sample", "20"]) == 0
    assert held == [True]
