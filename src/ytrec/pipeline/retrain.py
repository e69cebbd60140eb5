"""``ytrec retrain``: refit the thumbnail autoencoder to the bundle's current thumbnails.

When to: ``ytrec add`` reports the reconstruction error of new thumbnails against the bundle's
own; above ``DRIFT_RETRAIN_RATIO`` (x1.5) the catalog has drifted away from what the encoder
learned (new channels, a new visual style), and after many adds/removes in general (say a
quarter of the catalog changed). Retraining trains a new encoder on every stored thumbnail
(same model shape unless another preset is asked for), re-encodes them all, rebuilds the
stores of the autoencoder's signals with the same kind and parameters, and publishes the bundle atomically; the
title stores, catalog and thumbnails are carried over untouched (hard links).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ytrec.artifact.bundle import ENCODER_FILES, Bundle
from ytrec.artifact.update import bundle_lock, publish_update
from ytrec.errors import ArtifactError, CatalogError
from ytrec.pipeline.update import UpdateResult, existing_bundle, thumbnail_encoder
from ytrec.signals import LoadedModels, SignalInputs, signals_for

Log = Callable[[str], None]


def retrain_bundle(root: Path, train=None, preset: str | None = None, log: Log = print) -> UpdateResult:
    """Retrain on the stored thumbnails; ``train`` a TrainConfig, ``preset`` another model shape."""
    from ytrec.encoders.thumbnail import PRESETS, ThumbnailEncoder, TrainConfig, train_autoencoder

    root = existing_bundle(root)
    with bundle_lock(root):
        bundle = Bundle.load(root, mmap=False)
        if not bundle.has_thumbnails:
            raise ArtifactError(f"bundle {root} has no thumbnails: there is no autoencoder to retrain")
        if preset is not None and preset not in PRESETS:
            raise CatalogError(f"unknown autoencoder preset '{preset}' (choose from {', '.join(PRESETS)})")
        config = PRESETS[preset] if preset else thumbnail_encoder(bundle).config
        models = LoadedModels()
        inputs = SignalInputs(root, bundle.catalog, models)
        images = inputs.thumbnail_arrays(config)
        train = train or TrainConfig()
        log(f"retraining the thumbnail autoencoder on {len(images)} stored thumbnails")
        with tempfile.TemporaryDirectory(prefix=f".{root.name}.retrain-", dir=root.parent) as scratch:
            scratch = Path(scratch)
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
                      "best_val_loss": result.best_val_loss, "best_epoch": result.best_epoch,
                      "train_s": round(seconds, 1)}
            changes = {"thumbnail_encoder": {"config": encoder.config.to_dict(), "files": list(ENCODER_FILES)}}
            # the old build's training state and plots describe the old encoder: not carried over
            stale = {p.name for p in root.iterdir() if p.is_file() and p.name.startswith("training_state")}
            stale |= {p.name for p in root.iterdir() if p.suffix == ".png"}
            manifest = publish_update(root, bundle.manifest, record, stores,
                                      drop=set(ENCODER_FILES) | stale, write_extra=write_extra, changes=changes)
    log(f"bundle updated: {root} (thumbnail encoder retrained, {len(images)} thumbnails re-encoded)")
    return UpdateResult(manifest)
