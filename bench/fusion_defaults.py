"""Today's fusion defaults on an already built bundle: nDCG@10 before and after, without rebuilding.

Building a bundle is the slow part (training the autoencoder, embedding every title); the fusion
defaults (``signals/agreement.py`` weights, ``fusion/expansion.py`` query expansion) need only its
stores. This copies BUNDLE to OUT, gives the copy the fusion block a new build would write (weights
from neighbour agreement, ``expansion``), and runs the ``ytrec evaluate`` harness on both: the
README's before/after rows for sl-titles, thumbs-real and the sample were made this way.

    PYTHONPATH=src .venv/bin/python bench/fusion_defaults.py BUNDLE OUT --label channel_id [--expansion 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from ytrec.artifact.rewrite import rewrite_manifest
from ytrec.core.recommender import Recommender
from ytrec.eval.harness import EvalConfig, evaluate
from ytrec.fusion.expansion import DEFAULT_EXPANSION
from ytrec.signals import SIGNALS
from ytrec.signals.agreement import agreement_weights


def with_new_defaults(source: Path, out: Path, expansion: int) -> dict:
    """A copy of ``source`` at ``out`` whose fusion block is a new build's; returns that block."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    stores = Recommender.open(out).bundle.stores
    started = time.process_time()
    weights, record = agreement_weights(stores, {n: SIGNALS[n].default_weight for n in stores if n in SIGNALS})
    record["cpu_s"] = round(time.process_time() - started, 2)

    def change(manifest: dict) -> dict:
        fusion = {**manifest["fusion"], "weights": weights, "agreement": record, "expansion": expansion}
        return {**manifest, "fusion": fusion}

    return rewrite_manifest(out, change)["fusion"]


def ndcg(bundle: Path, label: str) -> dict[str, float]:
    report = evaluate(Recommender.open(bundle), EvalConfig(label=label), log=lambda m: print(m, file=sys.stderr))
    return {name: round(result["ndcg@10"], 4) for name, result in report["systems"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("out", type=Path, help="where the copy with the new defaults goes (replaced)")
    parser.add_argument("--label", required=True, help="relevance label column (channel, channel_id, clickbait)")
    parser.add_argument("--expansion", type=int, default=DEFAULT_EXPANSION)
    args = parser.parse_args()
    fusion = with_new_defaults(args.bundle, args.out, args.expansion)
    result = {"fusion_after": fusion, "before": ndcg(args.bundle, args.label), "after": ndcg(args.out, args.label)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
