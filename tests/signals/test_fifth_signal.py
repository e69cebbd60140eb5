"""A fifth signal is one spec: registered, it is built, searched, added to, weighed and evaluated."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from ytrec.signals import SIGNALS
from ytrec.signals.base import Models, SignalInputs
from ytrec.signals.dense import DenseSignal

CLASSES = ("Lu", "Ll", "Nd", "Zs", "Po", "Pd", "So", "Lo")


def _shape(title: str) -> np.ndarray:
    counts = np.array([sum(unicodedata.category(c) == k for c in title) for k in CLASSES], dtype=np.float32)
    counts += 1e-3  # an empty class mix still has a direction
    return counts / np.linalg.norm(counts)


class TitleShapeSignal(DenseSignal):
    """Model-free: the mix of Unicode character classes in a title (caps-heavy, digit-heavy, ...)."""

    name = "title_shape"
    source = "title"
    label = "Shape"
    method = "character classes"
    weight_flag = "shape"
    default_weight = 0.25
    modes = ("title_shape",)

    def dimension(self, inputs: SignalInputs) -> int:
        return len(CLASSES)

    def vectors(self, inputs: SignalInputs) -> np.ndarray:
        return np.stack([_shape(t) for t in inputs.titles])

    def encode_query(self, value, store, models: Models, purpose="passage"):
        return _shape(value)


@pytest.fixture
def fifth(monkeypatch):
    monkeypatch.setitem(SIGNALS, "title_shape", TitleShapeSignal())


def test_a_registered_signal_goes_everywhere(fifth, sample_bundle, tmp_path: Path, capsys):
    from ytrec.cli import main
    from ytrec.core.recommender import Recommender
    from ytrec.eval.harness import retrieval_systems
    from ytrec.pipeline.update import add_videos

    root = tmp_path / "bundle"
    argv = ["-q", "build", str(sample_bundle.catalog_csv), "--out", str(root), "--titles-only",
            "--text-model", "offline:all-MiniLM-L6-v2", "--w-shape", "0.5"]
    assert main(argv) == 0
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["modalities"]["title_shape"]["index"] == "flat"
    # the given weight is kept; the others come from neighbour agreement (signals/agreement.py)
    assert manifest["fusion"]["weights"]["title_shape"] == 0.5
    assert manifest["fusion"]["agreement"]["method"] == "neighbour agreement"
    assert set(manifest["fusion"]["agreement"]["support"]) == {"title", "title_lexical", "title_shape"}
    assert manifest["index_selection"]["modalities"]["title_shape"]["reason"].startswith("exact")

    recommender = Recommender.open(root)
    video_id = recommender.catalog.video_ids[3]
    alone = recommender.similar(video_id, k=5, mode="title_shape")
    assert len(alone) == 5 and all(set(r.contributions) == {"title_shape"} for r in alone)
    assert "title_shape" in recommender.similar(video_id, k=5)[0].scores
    names = [s.name for s in retrieval_systems(recommender, 0)]
    assert "title only (character classes)" in names

    assert main(["recommend", str(root), video_id, "--w-shape", "1", "--w-title", "0", "--w-lexical", "0",
                 "-k", "3", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 3

    table = tmp_path / "new.csv"
    table.write_text("video_id,title\nfresh1,BIG NEWS 2024!!!\n", encoding="utf-8")
    add_videos(root, str(table), log=lambda m: None)
    bundle = Recommender.open(root).bundle
    assert len(bundle.stores["title_shape"]) == len(bundle.catalog)
    row = bundle.catalog.row_of("fresh1")
    assert np.allclose(bundle.stores["title_shape"].row_query(row), _shape("BIG NEWS 2024!!!"), atol=1e-6)
