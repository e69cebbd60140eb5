"""``ytrec train CATALOG --out ENCODER``: only the thumbnail autoencoder (resumable)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import build_options, catalog_args, log, train_args


def register(sub) -> None:
    p = sub.add_parser("train", help="train only the thumbnail autoencoder on a catalog's thumbnails")
    catalog_args(p)
    train_args(p)
    p.add_argument("--out", type=Path, required=True, help="encoder folder")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out (raise --epochs)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.build import train_encoder

    train_encoder(args.catalog, args.out, build_options(args), log=log(args), resume=args.resume)
