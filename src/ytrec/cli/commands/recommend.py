"""``ytrec recommend BUNDLE [VIDEO_ID]``: similar videos, feedback lists, or a cold-start video."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytrec.cli.options import given_weights, list_args, list_options, pairs, search_params, weight_args
from ytrec.cli.output import describe, print_results
from ytrec.core.query import MAX_K, MODES, short_list_note


def register(sub) -> None:
    p = sub.add_parser("recommend", help="recommendations for a catalog video, or a new one (cold start)")
    p.add_argument("bundle", type=Path)
    p.add_argument("video_id", nargs="?", help="a video id in the catalog")
    p.add_argument("--image", help="cold start: thumbnail file of a new video")
    p.add_argument("--title", help="cold start: title of a new video")
    p.add_argument("-k", type=int, default=10, help=f"how many (1..{MAX_K})")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    weight_args(p, None)
    list_args(p)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    p.add_argument("--json", action="store_true", help="print JSON (with per-modality scores and contributions)")
    g = p.add_argument_group("index search knobs (per query; default: the bundle's)")
    g.add_argument("--ef-search", type=int, help="HNSW beam width (higher: better recall, slower)")
    g.add_argument("--nprobe", type=int, help="IVF lists scanned (higher: better recall, slower)")
    g.add_argument("--rerank", type=int, help="IVF-PQ candidates re-scored exactly (0: none)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender
    from ytrec.errors import QueryError

    recommender = Recommender.open(args.bundle, text_model=args.text_model)
    weights = given_weights(args)
    options = list_options(args, recommender)
    if (search := search_params(args)) is not None:
        options["search"] = search
    liked = ([args.video_id] if args.video_id else []) + (args.like or [])
    if (liked or args.dislike) and (args.image or args.title):
        raise QueryError("give either catalog videos (VIDEO_ID, --like, --dislike) or --image/--title, not both")
    if args.like or args.dislike:
        results = recommender.feedback(
            liked, args.dislike or [], k=args.k, mode=args.mode, weights=weights,
            like_weights=pairs(args.like_weights, "--like-weights"),
            dislike_weights=pairs(args.dislike_weights, "--dislike-weights"), **options,
        )
        header = f"liked: {', '.join(liked)}; disliked: {', '.join(args.dislike or []) or '-'}"
    elif args.video_id is not None:
        results = recommender.similar(args.video_id, k=args.k, mode=args.mode, weights=weights, **options)
        header = describe(recommender, args.video_id)
    else:
        if args.image is None and args.title is None:
            raise QueryError("give a VIDEO_ID, --like IDs, or --image and --title for a new video")
        image = Path(args.image) if args.image else None
        results = recommender.recommend_new(image, args.title, k=args.k, mode=args.mode, weights=weights, **options)
        header = f"new video: {args.title or ''} [{args.image or 'no image'}]"
    print_results(results, args.json, header, short_list_note(args.mode, args.k, len(results)))
