"""``ytrec retrain BUNDLE``: retrain the autoencoder on the bundle's thumbnails and re-index (atomic)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import log, train_config


def register(sub) -> None:
    p = sub.add_parser("retrain", help="retrain the thumbnail autoencoder on the bundle's thumbnails, re-index (atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("--preset", default=None, help="another model shape (default: the bundle's)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto, cpu or cuda")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.retrain import retrain_bundle

    retrain_bundle(args.bundle, train=train_config(args), preset=args.preset, log=log(args))
