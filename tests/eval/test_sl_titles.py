"""Title-mode evaluation on the real titles-only catalog (Sinhala/Tamil/English, 20 channels).

The title model here is the tiny random e5-shaped one (fast, meaningless vectors), so what this
checks is that a titles-only bundle evaluates and that the lexical signal alone is far above
chance on real multilingual titles; the README has the numbers with the real offline model.
"""

from __future__ import annotations

from pathlib import Path


from tests.helpers.tiny_e5 import build_tiny_e5
from ytrec.catalog.columns import ColumnMap
from ytrec.core.recommender import Recommender
from ytrec.eval.harness import EvalConfig, evaluate
from ytrec.pipeline.build import BuildOptions, build_bundle

TITLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sl-titles" / "titles.csv"


def test_titles_only_catalog_evaluates_in_title_mode(tmp_path: Path):
    model = build_tiny_e5(tmp_path)
    options = BuildOptions(columns=ColumnMap(channel="channel_id", category="category_name"), text_model=str(model))
    build_bundle(str(TITLES), tmp_path / "bundle", options, log=lambda m: None)
    recommender = Recommender.open(tmp_path / "bundle")
    assert recommender.bundle.modalities == ["title", "title_lexical"]
    report = evaluate(recommender, EvalConfig(label="channel_id", sample=150), log=lambda m: None)
    systems = report["systems"]
    assert "thumbnail only (autoencoder)" not in systems
    lexical, chance = systems["title only (char n-gram TF-IDF)"]["ndcg@10"], systems["random"]["ndcg@10"]
    assert chance < 0.15 and lexical > 0.6
