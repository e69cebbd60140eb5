"""``ytrec index CATALOG --encoder ENCODER --out BUNDLE``: a bundle with an already trained encoder."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import build_options, catalog_args, log, train_args


def register(sub) -> None:
    p = sub.add_parser("index", help="build a bundle with an already trained encoder (no training)")
    catalog_args(p)
    train_args(p)
    p.add_argument("--encoder", type=Path, required=True, help="folder written by `ytrec train`")
    p.add_argument("--out", type=Path, required=True, help="bundle folder")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.artifact.update import bundle_lock
    from ytrec.pipeline.build import build_bundle

    options = build_options(args)
    options.encoder_dir = args.encoder
    with bundle_lock(args.out):  # as `ytrec build`: never publishes under a reloading server
        build_bundle(args.catalog, args.out, options, log=log(args))
