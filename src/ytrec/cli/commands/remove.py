"""``ytrec remove BUNDLE VIDEO_ID...``: delete videos from every store (atomic)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import log


def register(sub) -> None:
    p = sub.add_parser("remove", help="remove videos from a bundle by id (atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("video_ids", nargs="+", metavar="VIDEO_ID")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.update import remove_videos

    remove_videos(args.bundle, args.video_ids, log=log(args))
