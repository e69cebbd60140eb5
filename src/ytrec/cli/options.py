"""Argument groups several commands share, and their conversion into core option objects."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from ytrec.api.settings import DEFAULT_ENCODE_QUEUE
from ytrec.catalog.columns import ColumnMap
from ytrec.errors import ConfigError, QueryError
from ytrec.index.auto import DEFAULT_MEMORY_BUDGET, INDEX_CHOICES
from ytrec.signals import SIGNALS


def log(args: argparse.Namespace) -> Callable[[str], None]:
    """Progress and log lines go to stderr: stdout carries only results (JSON with --json)."""
    return (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))


def catalog_args(p: argparse.ArgumentParser) -> None:
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


def train_args(p: argparse.ArgumentParser) -> None:
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
    g.add_argument("--contrastive", type=float, metavar="WEIGHT",
                   help="autoencoder: weight of a contrastive term between two corruptions (default 0: off)")
    g = p.add_argument_group("signals and their stores (README: Signals, Scaling)")
    g.add_argument("--without", nargs="+", choices=list(SIGNALS), default=[], metavar="SIGNAL",
                   help=f"leave signals out (of {', '.join(SIGNALS)}; default: every one the catalog has input for)")
    g.add_argument("--index", choices=INDEX_CHOICES, default="auto",
                   help="store kind of the dense signals (default auto: every signal's store by catalog size and budget)")
    g.add_argument("--memory-budget", default=None,
                   help=f"memory for every store together, e.g. 800MB, or 'none' "
                        f"(default {DEFAULT_MEMORY_BUDGET / 1e9:g}GB; auto picks kinds that fit)")
    weight_args(p, None)


def quality_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("quality (README: Evaluation)")
    g.add_argument("--tune-label", metavar="COLUMN",
                   help="once built, tune fusion and weights by this label column (same value = relevant)")
    g.add_argument("--adapt-titles", nargs="?", const="simcse", choices=("simcse", "tsdae"), default=None,
                   help="first adapt the title model to the catalog's titles, self-supervised (default method: simcse)")
    g.add_argument("--adapt-epochs", type=int, default=1, help="epochs of title adaptation")


def serve_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("server")
    g.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    g.add_argument("--port", type=int, default=8000)
    g.add_argument("--api-key", default=None,
                   help="enable POST/DELETE /api/videos for clients sending this key (default: $YTREC_API_KEY; none: disabled)")
    g.add_argument("--max-upload-mb", type=positive_float, default=5.0,
                   help="largest thumbnail upload accepted (413 above)")
    g.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes sharing the memory-mapped bundle (default: the number of cores)")
    g.add_argument("--encode-queue", type=positive_int, default=DEFAULT_ENCODE_QUEUE,
                   help="encoding requests (uploads, search) one worker admits before answering 503 "
                        f"with Retry-After (default {DEFAULT_ENCODE_QUEUE})")
    g.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="let browser pages from this origin call the API (repeatable; default: CORS off)")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def list_args(p: argparse.ArgumentParser) -> None:
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


def weight_args(p: argparse.ArgumentParser, default: float | None) -> None:
    """One ``--w-<flag>`` per signal (its spec's ``weight_flag``)."""
    for spec in SIGNALS.values():
        p.add_argument(f"--w-{spec.weight_flag}", type=float, default=default,
                       help=f"fusion weight of the {spec.name} signal ({spec.method}; default {spec.default_weight:g})")


def given_weights(args: argparse.Namespace) -> dict[str, float] | None:
    """The ``--w-*`` flags given, as weights per signal (None: the bundle's defaults)."""
    from ytrec.core.query import weights_from_flags

    return weights_from_flags({s.weight_flag: getattr(args, f"w_{s.weight_flag}") for s in SIGNALS.values()})


def build_options(args: argparse.Namespace):
    from ytrec.pipeline.build import BuildOptions

    train = train_config(args, noise_std=args.noise, mask_ratio=args.mask, contrastive_weight=args.contrastive)
    return BuildOptions(
        columns=columns(args),
        image_column=args.image_column,
        text_model=args.text_model or default_text_model(),
        prefixes=args.prefixes,
        preset=args.preset,
        train=train,
        use_thumbnails=not args.titles_only,
        without=frozenset(args.without),
        index=args.index,
        memory_budget=memory_budget(args.memory_budget),
        weights={s.name: getattr(args, f"w_{s.weight_flag}") for s in SIGNALS.values()},
        tune_label=getattr(args, "tune_label", None),
        adapt_titles=adapt_config(args),
    )


def adapt_config(args: argparse.Namespace):
    """AdaptConfig from --adapt-titles/--adapt-epochs (None when not asked for)."""
    if getattr(args, "adapt_titles", None) is None:
        return None
    from ytrec.encoders.title.adapt import AdaptConfig

    return AdaptConfig(method=args.adapt_titles, epochs=args.adapt_epochs, seed=args.seed or 0)


def train_config(args: argparse.Namespace, **extra: object):
    """TrainConfig from the training flags that were given (the rest keep their defaults)."""
    from ytrec.encoders.thumbnail import TrainConfig

    given = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed, "device": args.device, **extra}
    try:
        return TrainConfig(**{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:
        raise ConfigError(f"invalid training option: {exc}") from None


def columns(args: argparse.Namespace) -> ColumnMap:
    defaults = ColumnMap()
    given = {"video_id": args.col_id, "title": args.col_title, "thumbnail": args.col_thumbnail,
             "channel": args.col_channel, "category": args.col_category, "published_at": args.col_published}
    return ColumnMap(**{k: v if v is not None else getattr(defaults, k) for k, v in given.items()})


def memory_budget(text: str | None) -> int | None:
    """--memory-budget: bytes, the default when not given, None (no limit) for 'none'."""
    from ytrec.index.auto import parse_bytes

    if text is None:
        return DEFAULT_MEMORY_BUDGET
    return None if text.strip().lower() == "none" else parse_bytes(text)


def search_params(args: argparse.Namespace):
    from ytrec.index.base import SearchParams

    given = {"ef_search": args.ef_search, "nprobe": args.nprobe, "rerank": args.rerank}
    return SearchParams(**given) if any(v is not None for v in given.values()) else None


def default_text_model() -> str:
    from ytrec.encoders.title import DEFAULT_TEXT_MODEL

    return os.environ.get("YTREC_TEXT_MODEL", DEFAULT_TEXT_MODEL)


def pairs(text: str | None, flag: str) -> dict[str, float] | None:
    """'thumbnail=1,title=0' -> {'thumbnail': 1.0, 'title': 0.0}."""
    if text is None:
        return None
    parsed = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        try:
            parsed[name.strip()] = float(value)
        except ValueError:
            raise QueryError(f"{flag} takes MODALITY=WEIGHT pairs separated by commas, got '{item}'") from None
    return parsed


def list_options(args: argparse.Namespace, recommender) -> dict:
    """fusion / filters / diversity keyword arguments for the Recommender from recommend's flags."""
    from ytrec.core.filters import Filters

    return {
        "fusion": args.fusion,
        "filters": Filters(channels=tuple(args.channel or ()), categories=tuple(args.category or ()),
                           exclude_own_channel=args.exclude_own_channel),
        "diversity": recommender.diversity.with_overrides(args.mmr, args.channel_cap, args.collapse),
    }
