"""``ytrec build CATALOG --out BUNDLE``: ingest, train, embed, index, publish atomically."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.commands.publish import milvus_args, milvus_target
from ytrec.cli.options import build_options, catalog_args, log, quality_args, train_args


def register(sub) -> None:
    p = sub.add_parser("build", help="ingest a catalog, train the autoencoder, embed titles, index: a bundle")
    catalog_args(p)
    train_args(p)
    p.add_argument("--out", type=Path, required=True, help="bundle folder (replaced atomically)")
    quality_args(p)
    p.add_argument("--backend", choices=("local", "milvus"), default="local",
                   help="where the vectors live: in the bundle (default) or in Milvus (then published there)")
    milvus_args(p, required=False)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.artifact.update import bundle_lock
    from ytrec.pipeline.build import build_bundle

    options = build_options(args)
    if args.backend == "local":
        # like every write of a bundle: a server reloading it, or an `add`, never meets the publish half-done
        with bundle_lock(args.out):
            build_bundle(args.catalog, args.out, options, log=log(args))
        return
    from ytrec.errors import YtrecError
    from ytrec.milvus.publish import publish_bundle

    from ytrec.milvus.connection import client_for

    target = milvus_target(args)
    client_for(target)  # an unreachable server fails now, not after minutes of training
    if args.index == "auto":
        options.index = "flat"  # Milvus indexes the vectors; a local ANN index would be built for nothing
    with bundle_lock(args.out):  # released before publish_bundle, which takes it itself
        build_bundle(args.catalog, args.out, options, log=log(args))
    try:
        publish_bundle(args.out, target, log=log(args))
    except YtrecError as exc:
        raise type(exc)(f"{exc} (the bundle at {args.out} was built with local indexes; "
                        f"run `ytrec publish {args.out} --milvus-uri {target.uri}` again)") from None
