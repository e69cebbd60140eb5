"""Title model adaptation (build --adapt-titles): trains, is stored in the bundle, and queries use it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.helpers.tiny_e5 import build_tiny_e5
from ytrec.artifact.bundle import Bundle
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.encoders.title import TextModelConfig, TitleEmbedder
from ytrec.encoders.title.adapt import AdaptConfig, adapt_title_model
from ytrec.errors import CatalogError

TITLES = ["cricket highlights today", "sri lanka cricket news", "funny comedy video", "cooking recipe travel vlog",
          "music official trailer", "ශ්‍රී ලංකාව ක්‍රිකට් පුවත්", "இலங்கை கிரிக்கெட் செய்திகள்", "live song video"] * 2


@pytest.mark.parametrize("method", ["simcse", "tsdae"])
def test_adaptation_trains_a_copy_and_saves_a_loadable_model(tmp_path: Path, method: str):
    base = TitleEmbedder(TextModelConfig.for_model(str(build_tiny_e5(tmp_path))))
    before = base.encode_passages(TITLES[:3])
    result = adapt_title_model(base, TITLES, tmp_path / "adapted", AdaptConfig(method=method, batch_size=4), log=lambda m: None)
    assert result.titles == 8 and result.steps == 2 and np.isfinite(result.final_loss)  # repeats dropped
    np.testing.assert_allclose(base.encode_passages(TITLES[:3]), before, atol=1e-6)  # the base is untouched
    adapted = TitleEmbedder(TextModelConfig.for_model(str(tmp_path / "adapted"))).encode_passages(TITLES[:3])
    assert adapted.shape == before.shape and not np.allclose(adapted, before, atol=1e-4)


def test_bad_adaptation_settings_are_one_line_errors():
    with pytest.raises(CatalogError, match="unknown title adaptation 'bert'"):
        AdaptConfig(method="bert")
    with pytest.raises(CatalogError, match="epochs >= 1"):
        AdaptConfig(epochs=0)


def test_build_adapt_titles_stores_the_model_and_queries_use_it(tmp_path: Path):
    model = build_tiny_e5(tmp_path)
    table = tmp_path / "titles.csv"
    table.write_text("video_id,title,channel\n" + "".join(f"v{i},{t} {i},c{i % 3}\n" for i, t in enumerate(TITLES)))
    bundle = tmp_path / "bundle"
    assert main(["-q", "build", str(table), "--out", str(bundle), "--text-model", str(model), "--adapt-titles"]) == 0
    loaded = Bundle.load(bundle, verify=True)  # the adapted files are listed and checksummed
    text = loaded.manifest["text_model"]
    assert text["config"]["model"] == "bundle:title_model" and text["record"]["adapted"]["method"] == "simcse"
    assert any(name.startswith("title_model/") for name in loaded.manifest["files"])
    moved = tmp_path / "moved"
    shutil.move(bundle, moved)  # the model travels with the bundle
    recommender = Recommender.open(moved)
    scores, rows = recommender.bundle.stores["title"].search(recommender.title_embedder.encode_passages([f"{TITLES[0]} 0"]), 1)
    assert rows[0][0] == 0 and scores[0][0] > 0.999  # queries embed with the adapted weights
    assert main(["-q", "recommend", str(moved), "v0", "--text-model", str(model)]) == 2  # the base model is another
    assert json.loads((moved / "manifest.json").read_text())["timings"]["adapt_titles_s"] > 0


def test_retrain_adapt_titles_adapts_the_bundle_model_again_and_add_keeps_it(tmp_path: Path):
    model = build_tiny_e5(tmp_path)
    table = tmp_path / "titles.csv"
    table.write_text("video_id,title,channel\n" + "".join(f"v{i},{t} {i},c{i % 3}\n" for i, t in enumerate(TITLES)))
    bundle = tmp_path / "bundle"
    assert main(["-q", "build", str(table), "--out", str(bundle), "--text-model", str(model)]) == 0
    before = Bundle.load(bundle).manifest["text_model"]["record"]
    assert main(["-q", "retrain", str(bundle), "--adapt-titles", "tsdae"]) == 0
    loaded = Bundle.load(bundle, verify=True)  # the adapted files are listed and checksummed
    text = loaded.manifest["text_model"]
    assert text["config"]["model"] == "bundle:title_model"
    assert text["record"]["adapted"]["method"] == "tsdae" and text["record"]["adapted"]["from"] == before["model"]
    assert text["record"]["fingerprint"] != before["fingerprint"]
    assert loaded.manifest["updates"][-1]["adapt_titles"] == "tsdae"
    recommender = Recommender.open(bundle)  # the title store was re-embedded with the adapted model
    scores, rows = recommender.bundle.stores["title"].search(recommender.title_embedder.encode_passages([f"{TITLES[2]} 2"]), 1)
    assert rows[0][0] == 2 and scores[0][0] > 0.999

    new = tmp_path / "new.csv"
    new.write_text("video_id,title\nfresh1,cricket news tonight\n")
    assert main(["-q", "add", str(bundle), str(new)]) == 0
    after_add = Bundle.load(bundle, verify=True)  # an add (title store rewritten) keeps the adapted model
    assert [f for f in after_add.manifest["files"] if f.startswith("title_model/")] == \
        [f for f in loaded.manifest["files"] if f.startswith("title_model/")]
    assert main(["-q", "recommend", str(bundle), "fresh1", "-k", "3"]) == 0


def test_retrain_without_thumbnails_or_title_model_says_what_it_can_do(tmp_path: Path, capsys):
    table = tmp_path / "titles.csv"
    table.write_text("video_id,title,channel\n" + "".join(f"v{i},{t} {i},c{i % 3}\n" for i, t in enumerate(TITLES)))
    bundle = tmp_path / "bundle"
    assert main(["-q", "build", str(table), "--out", str(bundle), "--text-model", str(build_tiny_e5(tmp_path))]) == 0
    assert main(["-q", "retrain", str(bundle)]) == 2
    assert "--adapt-titles" in capsys.readouterr().err
