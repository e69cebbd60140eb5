"""``ytrec build CATALOG --out BUNDLE``: ingest, train, embed, index, publish atomically."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import build_options, catalog_args, log, train_args


def register(sub) -> None:
    p = sub.add_parser("build", help="ingest a catalog, train the autoencoder, embed titles, index: a bundle")
    catalog_args(p)
    train_args(p)
    p.add_argument("--out", type=Path, required=True, help="bundle folder (replaced atomically)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.build import build_bundle

    build_bundle(args.catalog, args.out, build_options(args), log=log(args))
