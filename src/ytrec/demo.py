"""`ytrec demo`: the sample catalog end to end, on a model that works offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ytrec.artifact.manifest import MANIFEST
from ytrec.artifact.update import bundle_lock
from ytrec.catalog.sample import generate_sample
from ytrec.core.recommender import Recommender
from ytrec.encoders.title import OFFLINE_MODEL_ALIAS
from ytrec.pipeline.build import BuildOptions, build_bundle

DEMO_QUERIES = 3


def run_demo(workdir: Path, text_model: str | None, rebuild: bool, log: Callable[[str], None]) -> Path:
    """Build (or reuse) the demo bundle and print a few recommendation lists; returns the bundle."""
    catalog_csv = workdir / "sample" / "catalog.csv"
    bundle = workdir / "bundle"
    model = text_model or OFFLINE_MODEL_ALIAS
    if model == OFFLINE_MODEL_ALIAS:
        log(f"demo: titles are embedded with {OFFLINE_MODEL_ALIAS} (English-only, works offline); "
            "pass --text-model intfloat/multilingual-e5-base where you are online")
    if not catalog_csv.is_file():
        generate_sample(catalog_csv.parent)
        log(f"demo: sample catalog written to {catalog_csv}")
    if rebuild or not (bundle / MANIFEST).is_file():
        with bundle_lock(bundle):  # as `ytrec build`: a server of this bundle never reloads a half-published one
            build_bundle(str(catalog_csv), bundle, BuildOptions(text_model=model), log=log)
    else:
        log(f"demo: reusing {bundle} (pass --rebuild to build again)")
    recommender = Recommender.open(bundle)
    catalog = recommender.catalog
    step = max(1, len(catalog) // DEMO_QUERIES)
    for row in range(0, step * DEMO_QUERIES, step):
        record = catalog.record(row)
        log(f"\nYou watched: {record['title']}  [{record['channel']}]")
        for rec in recommender.similar(str(record["video_id"]), k=5):
            log(f"  {rec.rank}. {rec.score:.3f} (thumb {rec.thumbnail_score:.2f}, title {rec.title_score:.2f})"
                f"  {rec.title}  [{rec.channel}]")
    return bundle
