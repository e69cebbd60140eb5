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
from ytrec.artifact.bundle import ENCODER_FILES, write_bundle
from ytrec.catalog.catalog import Catalog
from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.images import load_stored
from ytrec.catalog.ingest import ingest
from ytrec.catalog.sources import read_source
from ytrec.encoders.thumbnail import checkpoint
from ytrec.encoders.thumbnail import PRESETS, ThumbnailEncoder, TrainConfig, pil_to_array, train_autoencoder
from ytrec.encoders.title import DEFAULT_TEXT_MODEL, TextModelConfig, TitleEmbedder
from ytrec.errors import ArtifactError, CatalogError
from ytrec.fusion.registry import DEFAULT_FUSION
from ytrec.fusion.diversity import Diversity
from ytrec.index.base import ModalityStore
from ytrec.index.fingerprint import FingerprintStore, catalog_fingerprints
from ytrec.index.lexical import LexicalStore
from ytrec.index.auto import build_store, plan_indexes

# title_lexical's weight: see README "Evaluation" (measured on sl-titles and the sample catalog).
# thumbnail_copy finds re-uploads, not similar videos: it fuses with weight 0 (not even searched)
# and serves duplicate collapse and the thumbnail_copy mode.
DEFAULT_WEIGHTS = {"thumbnail": 0.5, "thumbnail_copy": 0.0, "title": 0.5, "title_lexical": 0.5}

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
    lexical: bool = True  # the character n-gram TF-IDF title signal (title_lexical)
    copy_index: bool = True  # thumbnail copy fingerprints (thumbnail_copy), when there are thumbnails
    index: str = "auto"  # dense store kind: auto, flat, hnsw, ivfpq, ivfsq (see index/auto.py)
    memory_budget: int | None = None  # bytes for the dense stores together (auto; None: no limit)
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


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
        stores: dict[str, ModalityStore] = {}
        encoder_meta = None
        dims = {"title": embedder.dimension}
        if catalog.has_thumbnails:
            dims["thumbnail"] = _model_config(options).latent_dim
        plan = plan_indexes(options.index, len(catalog), dims, options.memory_budget)
        selection = {"requested": options.index, "memory_budget_bytes": options.memory_budget, "modalities": {}}

        def dense(name: str, vectors) -> ModalityStore:
            started = time.perf_counter()
            store, choice = build_store(name, vectors, choice=plan[name])
            timings[f"index_{name}_s"] = round(time.perf_counter() - started, 2)
            selection["modalities"][name] = choice.to_dict()
            log(f"{name} index: {choice.kind} {choice.params or ''} ({choice.reason}; "
                f"~{choice.estimated_bytes / 2**20:.1f} MB{', over the budget' if choice.over_budget else ''})")
            return store

        if catalog.has_thumbnails:
            images = _thumbnail_arrays(stage, catalog, _model_config(options))
            encoder = _encoder(stage, images, options, timings, log)
            started = time.perf_counter()
            thumbnail_vectors = encoder.encode(images)
            timings["encode_thumbnails_per_s"] = round(len(images) / (time.perf_counter() - started), 1)
            stores["thumbnail"] = dense("thumbnail", thumbnail_vectors)
            if options.copy_index:
                started = time.perf_counter()
                # a chunk of decoded thumbnails at a time (all of them at once: 1.7 GB per 10k videos)
                paths = [stage / str(t) for t in catalog.column("thumb")]
                codes = np.concatenate([
                    catalog_fingerprints([load_stored(p) for p in paths[i : i + 512]]) for i in range(0, len(paths), 512)
                ])
                stores["thumbnail_copy"] = FingerprintStore("thumbnail_copy", codes)
                timings["copy_index_s"] = round(time.perf_counter() - started, 2)
            encoder_meta = {"config": encoder.config.to_dict(), "files": list(ENCODER_FILES)}
        started = time.perf_counter()
        title_vectors = embedder.encode_passages(catalog.titles)
        timings["embed_titles_per_s"] = round(len(catalog) / (time.perf_counter() - started), 1)
        stores["title"] = dense("title", title_vectors)
        if options.lexical:
            started = time.perf_counter()
            stores["title_lexical"] = LexicalStore.build("title_lexical", catalog.titles)
            timings["lexical_index_s"] = round(time.perf_counter() - started, 2)
        manifest = write_bundle(
            stage,
            catalog,
            report,
            stores,
            {
                "source": {"description": rows.description, "columns": options.columns.to_dict()},
                "counts": {"source_rows": report.total_rows, "skipped_rows": len(report.skipped)},
                "thumbnail_encoder": encoder_meta,
                "text_model": {"config": embedder.config.to_dict(), "record": embedder.model_record()},
                "fusion": {
                    "method": DEFAULT_FUSION,
                    "weights": {m: options.weights.get(m, DEFAULT_WEIGHTS.get(m, 0.0)) for m in stores},
                    "diversity": Diversity().to_dict(),
                },
                "timings": timings,
                "index_selection": selection,
            },
        )
    log(f"bundle written: {out} ({len(catalog)} videos, modalities: {', '.join(stores)})")
    return manifest


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
        images = _thumbnail_arrays(Path(scratch), catalog, _model_config(options))
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


def _thumbnail_arrays(root: Path, catalog: Catalog, config, chunk: int = 512) -> np.ndarray:
    """Stored thumbnails as one uint8 array at the model's size, decoded a chunk at a time."""
    paths = [root / str(t) for t in catalog.column("thumb")]
    return np.concatenate(
        [pil_to_array([load_stored(p) for p in paths[i : i + chunk]], config) for i in range(0, len(paths), chunk)]
    )
