"""``ytrec sample OUT``: write the generated sample catalog."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("sample", help="write the generated sample catalog (thumbnails + catalog.csv)")
    p.add_argument("out", type=Path, help="output folder")
    p.add_argument("--videos", type=int, default=360)
    p.add_argument("--channels", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.catalog.sample import generate_sample
    from ytrec.errors import CatalogError

    try:
        path = generate_sample(args.out, n_videos=args.videos, n_channels=args.channels, seed=args.seed)
    except ValueError as exc:
        raise CatalogError(str(exc)) from None
    print(f"sample catalog written: {path}")
