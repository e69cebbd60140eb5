"""``ytrec upgrade BUNDLE``: rebuild a bundle's model-free stores with this version's kinds (atomic)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import log
from ytrec.signals import SIGNALS


def register(sub) -> None:
    free = ", ".join(s.name for s in SIGNALS.values() if s.model is None)
    p = sub.add_parser("upgrade", help=f"bring a bundle made by an older ytrec up to date: rebuilds its model-free "
                                       f"stores ({free}) from its catalog and thumbnails (atomic)")
    p.add_argument("bundle", type=Path)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.pipeline.upgrade import upgrade_bundle

    upgrade_bundle(args.bundle, log=log(args))
