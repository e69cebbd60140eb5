"""``ytrec retrain``: refit the bundle's models to its current catalog.

The thumbnail autoencoder: ``ytrec add`` reports the reconstruction error of new thumbnails
against the bundle's own; above ``DRIFT_RETRAIN_RATIO`` (x1.5) the catalog has drifted away from
what the encoder learned (new channels, a new visual style), and after many adds/removes in general
(say a quarter of the catalog changed). Retraining trains a new encoder on every stored thumbnail
(same model shape unless another preset is asked for), re-encodes them all and rebuilds the stores
of the autoencoder's signals with the same kind and parameters.

The title model (``--adapt-titles``): adapted again, self-supervised, to the catalog's current
titles, starting from the bundle's title model (adapted or not); every title is re-embedded and the
stores of the title model's signals rebuilt. ``--adapt-titles`` alone leaves the autoencoder as it
is (each refit takes minutes; ask for the other with a second run).

Either way the bundle is published atomically; everything else (catalog, thumbnails, the other
stores) is carried over untouched (hard links).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ytrec.artifact.bundle import ENCODER_FILES, TITLE_MODEL_DIR, Bundle
from ytrec.artifact.update import bundle_lock, publish_update
from ytrec.errors import ArtifactError, CatalogError
from ytrec.pipeline.update import UpdateResult, bundle_calibration, existing_bundle, thumbnail_encoder, with_calibration
from ytrec.signals import LoadedModels, SignalInputs, signals_for

Log = Callable[[str], None]


def retrain_bundle(root: Path, train=None, preset: str | None = None, adapt=None, log: Log = print) -> UpdateResult:
    """Retrain the autoencoder on the stored thumbnails (``train`` a TrainConfig, ``preset`` another
    model shape), or, with ``adapt`` (an AdaptConfig), adapt the title model to the stored titles."""
    root = existing_bundle(root)
    with bundle_lock(root):
        bundle = Bundle.load(root, mmap=False)
        with tempfile.TemporaryDirectory(prefix=f".{root.name}.retrain-", dir=root.parent) as scratch:
            if adapt is not None:
                update = _adapt_titles(root, bundle, adapt, Path(scratch), log)
            else:
                update = _retrain_autoencoder(root, bundle, train, preset, Path(scratch), log)
            # the rebuilt stores' vectors changed, so do their rows' hub densities
            calibration = bundle_calibration(bundle).with_density_of(update["stores"])
            manifest = publish_update(root, bundle.manifest, **with_calibration(update, calibration))
    done = "title model adapted" if adapt is not None else "thumbnail encoder retrained"
    log(f"bundle updated: {root} ({done}, {len(bundle.catalog)} videos re-encoded)")
    return UpdateResult(manifest)


def _retrain_autoencoder(root: Path, bundle: Bundle, train, preset: str | None, scratch: Path, log: Log) -> dict:
    """publish_update's arguments for a new autoencoder trained in ``scratch``."""
    from ytrec.encoders.thumbnail import PRESETS, ThumbnailEncoder, TrainConfig, train_autoencoder

    if not bundle.has_thumbnails:
        raise ArtifactError(f"bundle {root} has no thumbnails: there is no autoencoder to retrain "
                            "(--adapt-titles adapts its title model)")
    if preset is not None and preset not in PRESETS:
        raise CatalogError(f"unknown autoencoder preset '{preset}' (choose from {', '.join(PRESETS)})")
    config = PRESETS[preset] if preset else thumbnail_encoder(bundle).config
    models = LoadedModels()
    inputs = SignalInputs(root, bundle.catalog, models)
    images = inputs.thumbnail_arrays(config)
    train = train or TrainConfig()
    log(f"retraining the thumbnail autoencoder on {len(images)} stored thumbnails")
    started = time.perf_counter()
    result = train_autoencoder(images, config, train, scratch)
    seconds = time.perf_counter() - started
    log(f"  best validation loss {result.best_val_loss:.5f} at epoch {result.best_epoch}")
    encoder = models.thumbnail_encoder = ThumbnailEncoder.load(scratch, device=train.device)
    # every signal computed by the autoencoder, stored again as it was (same kind, parameters)
    stores = {spec.name: spec.rebuild(inputs, like=bundle.stores[spec.name])
              for spec in signals_for(bundle.stores) if spec.model == "thumbnail_encoder"}

    def write_extra(stage: Path) -> list[str]:
        for name in ENCODER_FILES:
            shutil.copy2(scratch / name, stage / name)
        return list(ENCODER_FILES)

    record = {"op": "retrain", "thumbnails": len(images), "preset": preset,
              "best_val_loss": result.best_val_loss, "best_epoch": result.best_epoch, "train_s": round(seconds, 1)}
    changes = {"thumbnail_encoder": {"config": encoder.config.to_dict(), "files": list(ENCODER_FILES)}}
    # the old build's training state and plots describe the old encoder: not carried over
    stale = {p.name for p in root.iterdir() if p.is_file() and p.name.startswith("training_state")}
    stale |= {p.name for p in root.iterdir() if p.suffix == ".png"}
    return {"record": record, "stores": stores, "drop": set(ENCODER_FILES) | stale, "write_extra": write_extra,
            "changes": changes}


def _adapt_titles(root: Path, bundle: Bundle, adapt, scratch: Path, log: Log) -> dict:
    """publish_update's arguments for a title model adapted in ``scratch`` from the bundle's own."""
    from ytrec.encoders.title import TextModelConfig, TitleEmbedder
    from ytrec.encoders.title.adapt import adapt_title_model, adapted_model_entry, resolve_bundle_model

    specs = [spec for spec in signals_for(bundle.stores) if spec.model == "text_model"]
    if not specs:
        raise ArtifactError(f"bundle {root} has no signal computed by a title model: nothing to adapt")
    recorded = bundle.manifest["text_model"]
    embedder = TitleEmbedder(resolve_bundle_model(TextModelConfig.from_dict(recorded["config"]), root))
    log(f"adapting the title model ({adapt.method}) to {len(bundle.catalog)} stored titles")
    adapted = adapt_title_model(embedder, bundle.catalog.titles, scratch / TITLE_MODEL_DIR, adapt, log)
    new = TitleEmbedder(embedder.config.with_model(str(scratch / TITLE_MODEL_DIR)))
    models = LoadedModels(title_embedder=new)
    inputs = SignalInputs(root, bundle.catalog, models)
    stores = {spec.name: spec.rebuild(inputs, like=bundle.stores[spec.name]) for spec in specs}
    text_model = adapted_model_entry(new, adapted, adapt, recorded["record"], TITLE_MODEL_DIR)
    old_files = {name for name in bundle.manifest.get("files", {}) if name.startswith(f"{TITLE_MODEL_DIR}/")}

    def write_extra(stage: Path) -> list[str]:
        shutil.copytree(scratch / TITLE_MODEL_DIR, stage / TITLE_MODEL_DIR, dirs_exist_ok=True)
        return sorted(p.relative_to(stage).as_posix() for p in (stage / TITLE_MODEL_DIR).rglob("*") if p.is_file())

    record = {"op": "retrain", "adapt_titles": adapt.method, "titles": adapted.titles, "steps": adapted.steps,
              "adapt_s": round(adapted.seconds, 1)}
    return {"record": record, "stores": stores, "drop": old_files, "write_extra": write_extra,
            "changes": {"text_model": text_model}}
