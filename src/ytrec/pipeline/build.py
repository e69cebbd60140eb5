"""ytrec build: catalog source → ingest → train autoencoder → embed → index → bundle (atomic)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ytrec.artifact.atomic import staged_bundle
from ytrec.artifact.bundle import ENCODER_FILES, TITLE_MODEL_DIR, write_bundle
from ytrec.catalog.catalog import Catalog
from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.ingest import ingest
from ytrec.catalog.sources import read_source
from ytrec.encoders.thumbnail import checkpoint
from ytrec.encoders.thumbnail import PRESETS, ThumbnailEncoder, TrainConfig, train_autoencoder
from ytrec.encoders.title import DEFAULT_TEXT_MODEL, TextModelConfig, TitleEmbedder
from ytrec.encoders.title.adapt import AdaptConfig, adapt_title_model, adapted_model_entry
from ytrec.errors import ArtifactError, CatalogError
from ytrec.fusion.registry import DEFAULT_FUSION
from ytrec.fusion.diversity import Diversity
from ytrec.fusion.expansion import expansion_for
from ytrec.index.auto import DEFAULT_MEMORY_BUDGET
from ytrec.index.base import ModalityStore
from ytrec.signals import SIGNALS, BuildContext, LoadedModels, SignalInputs, SignalSpec
from ytrec.signals.agreement import agreement_weights
from ytrec.signals.calibration import Calibration, calibrate, calibration_off
from ytrec.signals.plan import describe_choice, plan_stores, selection_record

Log = Callable[[str], None]


@dataclass
class BuildOptions:
    columns: ColumnMap = field(default_factory=ColumnMap)
    image_column: str = "image"
    text_model: str = DEFAULT_TEXT_MODEL
    prefixes: bool | None = None  # None: automatic (on for e5 models)
    preset: str = "default"
    train: TrainConfig = field(default_factory=TrainConfig)
    encoder_dir: Path | None = None  # a trained encoder to reuse instead of training
    use_thumbnails: bool = True
    without: frozenset[str] = frozenset()  # signals to leave out (e.g. {"title_lexical"})
    index: str = "auto"  # store kinds: auto, or a dense kind for every dense signal (see index/auto.py)
    memory_budget: int | None = DEFAULT_MEMORY_BUDGET  # bytes for every store together (auto; None: no limit)
    # weights given per signal (``--w-*``); a signal not given (or None) is weighed by neighbour agreement
    weights: dict[str, float | None] = field(default_factory=dict)
    adapt_titles: AdaptConfig | None = None  # adapt the title model to the catalog's titles first
    tune_label: str | None = None  # a label column: tune fusion and weights by it once built (eval/autotune.py)


def build_signals(catalog: Catalog, options: BuildOptions) -> list[SignalSpec]:
    """The signals a build of ``catalog`` makes: every registered one it has input for, unless left out."""
    unknown = set(options.without) - set(SIGNALS)
    if unknown:
        raise CatalogError(f"unknown signal(s) {', '.join(sorted(unknown))} (known: {', '.join(SIGNALS)})")
    return [s for s in SIGNALS.values() if s.name not in options.without and s.available(catalog)]


def build_bundle(source: str, out: Path, options: BuildOptions, log: Log = print) -> dict:
    """Build a complete bundle at ``out``; returns its manifest. ``out`` changes only on success."""
    rows = read_source(source, options.columns, image_column=options.image_column)
    rows.has_thumbnails = rows.has_thumbnails and options.use_thumbnails
    embedder = _load_embedder(options, log)
    timings: dict[str, float] = {}
    with staged_bundle(out) as stage:
        started = time.perf_counter()
        catalog, report = ingest(rows, options.columns, stage)
        timings["ingest_s"] = round(time.perf_counter() - started, 2)
        log(report.summary())
        if options.tune_label is not None:
            from ytrec.eval.autotune import check_tune_label

            check_tune_label(catalog, options.tune_label, options.columns.to_dict())
        specs = build_signals(catalog, options)
        text_model = None
        if options.adapt_titles is not None:
            base = embedder.model_record()
            adapted = adapt_title_model(embedder, catalog.titles, stage / TITLE_MODEL_DIR, options.adapt_titles, log)
            timings["adapt_titles_s"] = round(adapted.seconds, 2)
            embedder = TitleEmbedder(embedder.config.with_model(str(stage / TITLE_MODEL_DIR)))
            text_model = adapted_model_entry(embedder, adapted, options.adapt_titles, base, TITLE_MODEL_DIR)
        models = LoadedModels(title_embedder=embedder)
        uses_encoder = any(s.model == "thumbnail_encoder" for s in specs)
        ctx = BuildContext(stage, catalog, models, autoencoder_config=_model_config(options) if uses_encoder else None)
        ctx.plan = plan_stores(specs, ctx, options.index, options.memory_budget)
        encoder_meta = None
        if uses_encoder:
            images = ctx.thumbnail_arrays(ctx.autoencoder_config)
            models.thumbnail_encoder = _encoder(stage, images, options, timings, log)
            encoder_meta = {"config": models.thumbnail_encoder.config.to_dict(), "files": list(ENCODER_FILES)}
        stores: dict[str, ModalityStore] = {}
        for spec in specs:
            started = time.perf_counter()
            stores[spec.name] = spec.build(ctx)
            timings[f"build_{spec.name}_s"] = round(time.perf_counter() - started, 2)
            log(describe_choice(spec.name, ctx.choices[spec.name]))
        weights, agreement = _fusion_weights(stores, options, timings, log)
        expansion, expansion_reason = expansion_for(stores, weights)
        calibration, calibration_reason = _calibration(stores, specs, catalog, models, timings, log)
        manifest = write_bundle(
            stage,
            catalog,
            report,
            stores,
            {
                "source": {"description": rows.description, "columns": options.columns.to_dict()},
                "counts": {"source_rows": report.total_rows, "skipped_rows": len(report.skipped)},
                "thumbnail_encoder": encoder_meta,
                "text_model": text_model or {"config": embedder.config.to_dict(), "record": embedder.model_record()},
                "fusion": {
                    "method": DEFAULT_FUSION,
                    "weights": weights,
                    "agreement": agreement,
                    "expansion": expansion,
                    "expansion_reason": expansion_reason,
                    "calibration": {**calibration.describe(), "reason": calibration_reason},
                    "diversity": Diversity().to_dict(),
                },
                "timings": timings,
                "index_selection": selection_record(options.index, options.memory_budget, ctx.choices),
            },
            extra_files=calibration.save(stage),
        )
    log(f"bundle written: {out} ({len(catalog)} videos, signals: {', '.join(stores)})")
    if options.tune_label is not None:
        from ytrec.eval.autotune import tune_bundle

        manifest = tune_bundle(out, options.tune_label, log)
    return manifest


def _fusion_weights(
    stores: dict[str, ModalityStore], options: BuildOptions, timings: dict[str, float], log: Log
) -> tuple[dict[str, float], dict]:
    """The bundle's fusion weights: those given (``--w-*``), else each signal's from neighbour
    agreement (signals/agreement.py); and the record of how they were found."""
    given = {name: options.weights.get(name) for name in stores}
    defaults = {n: SIGNALS[n].default_weight if w is None else w for n, w in given.items()}
    if all(w is not None for n, w in given.items() if SIGNALS[n].default_weight > 0):
        return defaults, {"method": "given"}
    started = time.perf_counter()
    weights, record = agreement_weights(stores, defaults)
    weights = {n: w if given[n] is None else given[n] for n, w in weights.items()}
    timings["agreement_weights_s"] = round(time.perf_counter() - started, 2)
    log(f"fusion weights from neighbour agreement: {weights}")
    return weights, record


def _calibration(
    stores: dict[str, ModalityStore], specs: list[SignalSpec], catalog: Catalog, models: LoadedModels,
    timings: dict[str, float], log: Log,
) -> tuple[Calibration, str]:
    """Hub densities of the signals that find look-alikes, and the title model's coverage of each
    title (signals/calibration.py); and why (or why not)."""
    off = calibration_off(stores)
    if off is not None:
        log(f"score calibration {off}")
        return Calibration(), off
    started = time.perf_counter()
    similar = {name: store for name, store in stores.items() if SIGNALS[name].finds_similar}
    coverage = {spec.name: c for spec in specs if (c := spec.coverage(catalog.titles, models)) is not None}
    calibration = calibrate(similar, coverage)
    timings["calibration_s"] = round(time.perf_counter() - started, 2)
    read = ", ".join(f"{m} reads {c.mean():.0%} of the title tokens" for m, c in calibration.coverage.items())
    log(f"hub densities of {', '.join(calibration.density) or 'no signal'}" + (f"; {read}" if read else ""))
    return calibration, "hub discounts and title coverage measured on this catalog"


def train_encoder(source: str, out: Path, options: BuildOptions, log: Log = print, resume: bool = False) -> Path:
    """Train only the thumbnail autoencoder (``ytrec train``), for reuse by ``ytrec index``.

    ``resume`` continues the run saved in ``out`` (more epochs: raise ``--epochs``).
    """
    rows = read_source(source, options.columns, image_column=options.image_column)
    if not rows.has_thumbnails:
        raise CatalogError(f"{rows.description} has no thumbnail column: nothing to train on")
    with tempfile.TemporaryDirectory(prefix="ytrec-ingest-") as scratch:
        catalog, report = ingest(rows, options.columns, Path(scratch))
        log(report.summary())
        images = SignalInputs(Path(scratch), catalog, LoadedModels()).thumbnail_arrays(_model_config(options))
        with staged_bundle(out) as stage:
            if resume and out.is_dir():
                shutil.copytree(out, stage, dirs_exist_ok=True)
            _encoder(stage, images, options, {}, log, keep_state=True, resume=resume)
    log(f"encoder written: {out}")
    return out


def _load_embedder(options: BuildOptions, log: Log) -> TitleEmbedder:
    """Load the text model before any training, so a missing model fails in seconds, not minutes."""
    embedder = TitleEmbedder(TextModelConfig.for_model(options.text_model, prefixes=options.prefixes))
    log(f"title model: {options.text_model} ({embedder.dimension}-d)")
    return embedder


def _model_config(options: BuildOptions):
    if options.encoder_dir is not None:
        return ThumbnailEncoder.load(options.encoder_dir).config
    if options.preset not in PRESETS:
        raise CatalogError(f"unknown autoencoder preset '{options.preset}' (choose from {', '.join(PRESETS)})")
    return PRESETS[options.preset]


def _encoder(
    stage: Path,
    images: np.ndarray,
    options: BuildOptions,
    timings: dict,
    log: Log,
    keep_state: bool = False,
    resume: bool = False,
) -> ThumbnailEncoder:
    if options.encoder_dir is not None:
        for name in ENCODER_FILES:
            source = options.encoder_dir / name
            if not source.is_file():
                raise ArtifactError(f"{options.encoder_dir} has no {name}: not a trained encoder")
            shutil.copy2(source, stage / name)
        log(f"thumbnail encoder reused from {options.encoder_dir}")
    else:
        config = PRESETS[options.preset]
        log(f"training thumbnail autoencoder (preset {options.preset}) on {len(images)} thumbnails")
        started = time.perf_counter()
        result = train_autoencoder(images, config, options.train, stage, resume=resume)
        timings["train_s"] = round(time.perf_counter() - started, 2)
        timings["train_images_per_s"] = round(result.images_per_second, 1)
        log(f"  best validation loss {result.best_val_loss:.5f} at epoch {result.best_epoch}")
        if not keep_state:
            # Adam moments are 3x the weights and only serve a resume; `ytrec train` keeps them
            (stage / checkpoint.STATE_FILE).unlink(missing_ok=True)
    return ThumbnailEncoder.load(stage)
