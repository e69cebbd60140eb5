"""``ytrec search BUNDLE TEXT``: free-text search over every title signal."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.output import print_results


def register(sub) -> None:
    p = sub.add_parser("search", help="free-text search over titles")
    p.add_argument("bundle", type=Path)
    p.add_argument("text")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender

    recommender = Recommender.open(args.bundle, text_model=args.text_model)
    print_results(recommender.search(args.text, k=args.k), args.json, f"search: {args.text}")
