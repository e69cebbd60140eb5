"""``ytrec add BUNDLE TABLE``: append videos without retraining (atomic)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import columns, log

COLUMN_FLAGS = ("id", "title", "thumbnail", "channel", "category", "published")


def register(sub) -> None:
    p = sub.add_parser("add", help="add videos from a table to a bundle (no retraining; atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("catalog", help="a .csv/.jsonl/.parquet table, or hf:<dataset>, with the new videos")
    g = p.add_argument_group("catalog columns (default: those the bundle was built with)")
    for flag in COLUMN_FLAGS:
        g.add_argument(f"--col-{flag}", default=None)
    g.add_argument("--image-column", default="image", help="image column of a Hugging Face dataset")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.update import add_videos

    given = any(getattr(args, f"col_{c}") is not None for c in COLUMN_FLAGS)
    add_videos(args.bundle, args.catalog, columns=columns(args) if given else None,
               image_column=args.image_column, log=log(args))
