"""Tuning as the last step of a build (``ytrec build --tune-label COL``).

A catalog with a label column (channel, category, ...) can say which weights serve it best, so
the bundle is published first and then tuned in place by the same atomic manifest rewrite as
``ytrec tune``. The label is checked before any training, so a typo costs seconds, not a build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ytrec.catalog.catalog import Catalog
from ytrec.eval.relevance import LabelRelevance

Log = Callable[[str], None]


def check_tune_label(catalog: Catalog, label: str, columns: dict[str, str]) -> None:
    """QueryError (one line) unless ``label`` is a column that gives at least two judgeable videos."""
    from ytrec.errors import QueryError

    queries = LabelRelevance.from_catalog(catalog, label, columns).queries()
    if len(queries) < 2:
        raise QueryError(f"--tune-label {label}: fewer than two videos share a value; nothing to tune on")


def tune_bundle(root: Path, label: str, log: Log = print) -> dict:
    """Tune the published bundle at ``root`` by ``label`` and store the choice; returns the new manifest
    (tune's full result is in its ``fusion.tuned``). The caller holds the bundle lock (``ytrec build``)."""
    from ytrec.artifact.rewrite import rewrite_manifest
    from ytrec.core.recommender import Recommender
    from ytrec.eval.tune import TuneConfig, apply_tuning, tune

    result = tune(Recommender.open(root), TuneConfig(label=label), log=log)
    manifest = rewrite_manifest(root, lambda current: apply_tuning(current, result))
    metric = f"heldout_ndcg@{result['k']}"
    after = result["after"]
    log(f"tuned by '{label}': {after['method']} {after['weights']} "
        f"(held-out nDCG@{result['k']} {result['before'][metric]:.3f} -> {after[metric]:.3f})")
    return manifest
