"""``ytrec publish BUNDLE --milvus-uri URI``: move a bundle's vectors into Milvus (README: Beyond one machine)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ytrec.cli.options import log


def register(sub) -> None:
    p = sub.add_parser("publish", help="move a bundle's vectors into a Milvus server (one collection per signal)")
    p.add_argument("bundle", type=Path)
    milvus_args(p, required=True)
    p.set_defaults(handler=run)


def milvus_args(p: argparse.ArgumentParser, required: bool) -> None:
    """--milvus-uri/--milvus-token/--milvus-prefix, shared with ``ytrec build --backend milvus``."""
    from ytrec.milvus.connection import DEFAULT_PREFIX, TOKEN_ENV, URI_ENV

    g = p.add_argument_group("Milvus")
    g.add_argument("--milvus-uri", default=os.environ.get(URI_ENV), required=required and not os.environ.get(URI_ENV),
                   help=f"server or cluster proxy, e.g. http://host:19530 (default: ${URI_ENV})")
    g.add_argument("--milvus-token", default=os.environ.get(TOKEN_ENV, ""),
                   help=f"user:password or API key; never written to the bundle (default: ${TOKEN_ENV}; "
                        "readers take it from there too)")
    g.add_argument("--milvus-prefix", default=DEFAULT_PREFIX,
                   help=f"collection names start with this, one catalog per prefix (default {DEFAULT_PREFIX})")


def milvus_target(args: argparse.Namespace):
    from ytrec.errors import ConfigError
    from ytrec.milvus.connection import MilvusTarget

    if not args.milvus_uri:
        raise ConfigError("--milvus-uri is required with --backend milvus")
    return MilvusTarget(args.milvus_uri, args.milvus_token or "", args.milvus_prefix)


def run(args: argparse.Namespace) -> None:
    from ytrec.milvus.publish import publish_bundle

    publish_bundle(args.bundle, milvus_target(args), log=log(args))
