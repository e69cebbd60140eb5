"""``ytrec retrain BUNDLE [--adapt-titles]``: refit the autoencoder (or adapt the title model) and re-index (atomic)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import adapt_config, log, train_config


def register(sub) -> None:
    p = sub.add_parser("retrain", help="retrain the thumbnail autoencoder on the bundle's thumbnails, re-index (atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("--preset", default=None, help="another model shape (default: the bundle's)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto, cpu or cuda")
    p.add_argument("--adapt-titles", nargs="?", const="simcse", choices=("simcse", "tsdae"), default=None,
                   help="instead, adapt the title model to the bundle's titles, self-supervised (default: simcse)")
    p.add_argument("--adapt-epochs", type=int, default=1, help="epochs of title adaptation")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.retrain import retrain_bundle

    retrain_bundle(args.bundle, train=train_config(args), preset=args.preset, adapt=adapt_config(args), log=log(args))
