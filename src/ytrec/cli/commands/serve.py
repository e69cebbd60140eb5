"""``ytrec serve BUNDLE``: the REST API and web page (FastAPI + uvicorn)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ytrec.cli.options import serve_args


def register(sub) -> None:
    p = sub.add_parser("serve", help="REST API + web page for a bundle (FastAPI + uvicorn)")
    p.add_argument("bundle", type=Path)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    serve_args(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    serve_bundle(args.bundle, args)


def serve_bundle(bundle: Path, args: argparse.Namespace) -> None:
    """Shared by ``serve`` and ``demo``."""
    from ytrec.api.settings import Settings
    from ytrec.server.workers import serve

    settings = Settings(max_upload_bytes=int(args.max_upload_mb * 2**20), text_model=getattr(args, "text_model", None),
                        api_key=args.api_key or os.environ.get("YTREC_API_KEY") or None,
                        encode_queue=args.encode_queue, cors_origins=tuple(args.cors_origin or ()))
    serve(bundle, host=args.host, port=args.port, settings=settings, workers=args.workers, quiet=args.quiet)
