"""``ytrec tune BUNDLE``: fusion method and weights by nDCG@k on a validation split, stored in the bundle."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ytrec.cli.options import log


def register(sub) -> None:
    p = sub.add_parser("tune", help="pick fusion method and weights by nDCG@k on a validation split; store them")
    p.add_argument("bundle", type=Path)
    p.add_argument("--label", default="channel", help="catalog column: same value = relevant")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--step", type=float, default=0.1, help="weight grid step (weights sum to 1)")
    p.add_argument("--validation-share", type=float, default=0.5)
    p.add_argument("--sample", type=int, help="use a seeded sample of this many query videos")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dry-run", action="store_true", help="report only; leave the bundle unchanged")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.artifact.rewrite import rewrite_manifest
    from ytrec.artifact.update import bundle_lock
    from ytrec.core.recommender import Recommender
    from ytrec.eval.tune import TuneConfig, apply_tuning, tune

    recommender = Recommender.open(args.bundle)
    config = TuneConfig(label=args.label, k=args.k, validation_share=args.validation_share, seed=args.seed,
                        step=args.step, sample=args.sample)
    result = tune(recommender, config, log=log(args))
    metric = f"ndcg@{config.k}"
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for when in ("before", "after"):
            entry = result[when]
            print(f"{when:>6}: {entry['method']} {entry['weights']}  validation {metric} "
                  f"{entry[f'validation_{metric}']:.4f}  held-out {metric} {entry[f'heldout_{metric}']:.4f}")
    if not args.dry_run:
        with bundle_lock(args.bundle):  # an `add` publishing meanwhile is not undone by an older manifest
            rewrite_manifest(args.bundle, lambda manifest: apply_tuning(manifest, result))
        log(args)(f"bundle {args.bundle}: fusion set to {result['after']['method']} {result['after']['weights']}")
