"""``ytrec add`` / ``ytrec remove``: change a bundle's catalog without rebuilding or retraining.

Adding validates the new rows exactly like ``ytrec build`` (same ingest, same report; an id that is
already in the bundle is skipped as ``duplicate_video_id``), encodes their thumbnails with the
bundle's trained encoder and embeds their titles with the bundle's recorded text model (refused
if the model files differ), appends them to every store, and publishes the bundle atomically
(``artifact/update.py``). New thumbnails are numbered after the highest existing one.

Autoencoder drift: adding also measures the reconstruction error of the new thumbnails against
that of a sample of the bundle's own thumbnails. The encoder was fitted to the latter; when new
thumbnails reconstruct markedly worse (mean error above ``DRIFT_RETRAIN_RATIO`` times the
reference), their latents are less trustworthy and ``ytrec retrain`` is recommended.

Removing deletes the rows from the catalog and every store (later rows move up) and their
thumbnail files; unknown ids are an error and nothing changes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from ytrec.artifact.bundle import Bundle
from ytrec.artifact.manifest import MANIFEST, read_manifest
from ytrec.artifact.update import bundle_lock, publish_update
from ytrec.catalog.catalog import Catalog
from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.ingest import THUMBS_DIR, ingest
from ytrec.catalog.report import IngestReport
from ytrec.catalog.sources import read_source
from ytrec.errors import ArtifactError, CatalogError, QueryError
from ytrec.index.base import NewRows
from ytrec.signals import SIGNALS, LazyModels, SignalInputs, signals_for
from ytrec.signals.calibration import CALIBRATION_FILE, Calibration

DRIFT_RETRAIN_RATIO = 1.5  # mean reconstruction error of new thumbnails / the bundle's own
DRIFT_REFERENCE_SAMPLE = 256
ADD_REPORT_FILE = "last_add_report.json"

Log = Callable[[str], None]


@dataclass
class Drift:
    new_error: float
    reference_error: float
    threshold: float = DRIFT_RETRAIN_RATIO

    @property
    def ratio(self) -> float:
        return self.new_error / max(self.reference_error, 1e-12)

    @property
    def retrain_recommended(self) -> bool:
        return self.ratio > self.threshold

    def to_dict(self) -> dict:
        return {"new_error": round(self.new_error, 6), "reference_error": round(self.reference_error, 6),
                "ratio": round(self.ratio, 3), "threshold": self.threshold,
                "retrain_recommended": self.retrain_recommended}

    def summary(self) -> str:
        line = (f"thumbnail reconstruction error: new {self.new_error:.5f} vs the bundle's own "
                f"{self.reference_error:.5f} (x{self.ratio:.2f})")
        if self.retrain_recommended:
            line += (f": above x{self.threshold}, the autoencoder no longer fits the catalog well; "
                     "run `ytrec retrain BUNDLE`")
        return line


@dataclass
class UpdateResult:
    manifest: dict
    added: int = 0
    removed: int = 0
    report: IngestReport | None = None
    drift: Drift | None = None
    notes: list[str] = field(default_factory=list)


def add_videos(
    root: Path,
    source: str,
    columns: ColumnMap | None = None,
    image_column: str = "image",
    log: Log = print,
    embedder=None,
    encoder=None,
) -> UpdateResult:
    """Append the usable rows of ``source`` (a table or dataset, as for ``ytrec build``) to the bundle.

    ``embedder`` / ``encoder``: already loaded models of this bundle (a server passes its own);
    by default they are loaded from the bundle's record."""
    root = existing_bundle(root)
    with bundle_lock(root):
        bundle = Bundle.load(root, mmap=False)
        manifest = bundle.manifest
        if columns is None:
            columns = ColumnMap.from_dict(manifest.get("source", {}).get("columns", {}))
        rows = read_source(source, columns, image_column=image_column)
        if bundle.has_thumbnails and not rows.has_thumbnails:
            raise CatalogError(
                f"{rows.description} has no '{columns.thumbnail}' column, but this bundle indexes thumbnails: "
                "every new video needs one"
            )
        rows.has_thumbnails = rows.has_thumbnails and bundle.has_thumbnails
        with tempfile.TemporaryDirectory(prefix=f".{root.name}.add-", dir=root.parent) as scratch:
            scratch = Path(scratch)
            catalog, report = ingest(rows, columns, scratch, existing=set(bundle.catalog.video_ids),
                                     first_number=_next_thumb_number(bundle.catalog))
            log(report.summary())
            inputs = SignalInputs(scratch, catalog, _bundle_models(bundle, embedder, encoder))
            drift = None
            if bundle.has_thumbnails:
                drift = measure_drift(bundle, inputs)
                log(drift.summary())
            # each signal computes its new rows once (copy codes, vectors); stores that read
            # the new catalog records (lexical) need nothing
            vectors = {spec.name: v for spec in signals_for(bundle.stores) if (v := spec.new_rows(inputs)) is not None}
            new_rows = NewRows(inputs.records, vectors)
            stores = {name: store.with_rows_added(new_rows) for name, store in bundle.stores.items()}
            merged = Catalog(pa.concat_tables([bundle.catalog.table, catalog.table], promote_options="default"))
            calibration = bundle_calibration(bundle)
            coverage = {m: SIGNALS[m].coverage(catalog.titles, inputs.models) for m in calibration.coverage}
            calibration = calibration.with_rows_added(stores, coverage)

            def write_extra(stage: Path) -> list[str]:
                if (scratch / THUMBS_DIR).is_dir():
                    (stage / THUMBS_DIR).mkdir(exist_ok=True)
                    for thumb in (scratch / THUMBS_DIR).iterdir():
                        shutil.move(str(thumb), stage / THUMBS_DIR / thumb.name)
                report.write(stage / ADD_REPORT_FILE)
                return [ADD_REPORT_FILE]

            record = {"op": "add", "source": rows.description, "added": len(catalog),
                      "skipped": len(report.skipped), "skipped_by_reason": report.reason_counts(),
                      "drift": drift.to_dict() if drift else None}
            new_manifest = publish_update(root, manifest, record, stores, merged,
                                          **with_calibration({"write_extra": write_extra}, calibration))
    log(f"bundle updated: {root} (+{len(catalog)} videos, {len(merged)} in all)")
    return UpdateResult(new_manifest, added=len(catalog), report=report, drift=drift)


def remove_videos(root: Path, video_ids: list[str], log: Log = print) -> UpdateResult:
    """Delete the given videos from the catalog, every store and the thumbnails."""
    root = existing_bundle(root)
    wanted = list(dict.fromkeys(video_ids))
    if not wanted:
        raise QueryError("name at least one video id to remove")
    with bundle_lock(root):
        bundle = Bundle.load(root, mmap=False)
        unknown = [v for v in wanted if v not in bundle.catalog]
        if unknown:
            raise QueryError(f"not in the bundle (nothing removed): {', '.join(unknown[:20])}"
                             + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""))
        rows = np.array(sorted(bundle.catalog.row_of(v) for v in wanted), dtype=np.int64)
        if len(rows) >= len(bundle.catalog):
            raise QueryError("cannot remove every video of a bundle; build a new one instead")
        keep = np.ones(len(bundle.catalog), dtype=bool)
        keep[rows] = False
        catalog = Catalog(bundle.catalog.table.filter(pa.array(keep)))
        thumbs = bundle.catalog.column("thumb")
        drop = {thumbs[r] for r in rows if thumbs[r]}
        stores = {name: store.with_rows_removed(rows) for name, store in bundle.stores.items()}
        calibration = bundle_calibration(bundle).with_rows_removed(rows)
        record = {"op": "remove", "removed": len(rows), "video_ids": wanted[:100]}
        manifest = publish_update(root, bundle.manifest, record, stores, catalog,
                                  **with_calibration({"drop": drop}, calibration))
    log(f"bundle updated: {root} (-{len(rows)} videos, {len(catalog)} left)")
    return UpdateResult(manifest, removed=len(rows))


# -- helpers -----------------------------------------------------------------------------------


def existing_bundle(root: Path) -> Path:
    """``root`` resolved, refused before anything is written beside it (the update lock) if no bundle is there."""
    root = Path(root).resolve()
    if not (root / MANIFEST).is_file():
        read_manifest(root)  # raises the one-line "no bundle at ..." / "not a ytrec bundle" error
    return root


def bundle_calibration(bundle: Bundle) -> Calibration:
    return Calibration.load(bundle.root, bundle.manifest.get("files", {}), len(bundle.catalog))


def with_calibration(publish: dict, calibration: Calibration) -> dict:
    """``publish_update`` keyword arguments that also replace the bundle's score calibration (its
    rows or densities changed); unchanged for a bundle without one."""
    if calibration.empty:
        return publish
    write = publish.get("write_extra")

    def write_extra(stage: Path) -> list[str]:
        return (write(stage) if write is not None else []) + calibration.save(stage)

    return {**publish, "drop": set(publish.get("drop", ())) | {CALIBRATION_FILE}, "write_extra": write_extra}


def _next_thumb_number(catalog: Catalog) -> int:
    numbers = [int(m.group(1)) for t in catalog.column("thumb") if t and (m := re.search(r"(\d+)\.jpg$", t))]
    return max(numbers, default=-1) + 1


def thumbnail_encoder(bundle: Bundle):
    """The bundle's trained encoder, refused if it is not the one the manifest records."""
    from ytrec.encoders.thumbnail import AutoencoderConfig, ThumbnailEncoder

    recorded = (bundle.manifest.get("thumbnail_encoder") or {}).get("config")
    expect = AutoencoderConfig.from_dict(recorded) if recorded else None
    return ThumbnailEncoder.load(bundle.root, expect=expect)


def measure_drift(bundle: Bundle, inputs: SignalInputs) -> Drift:
    """Reconstruction error of the new thumbnails against a sample of the bundle's own."""
    encoder = inputs.models.thumbnail_encoder
    images = inputs.thumbnail_arrays(encoder.config)
    existing = [row for row, t in enumerate(bundle.catalog.column("thumb")) if t]
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(existing, size=min(DRIFT_REFERENCE_SAMPLE, len(existing)), replace=False))
    own = SignalInputs(bundle.root, Catalog(bundle.catalog.table.take(sample)), inputs.models)
    reference = own.thumbnail_arrays(encoder.config)
    return Drift(float(np.mean(encoder.reconstruction_error(images))),
                 float(np.mean(encoder.reconstruction_error(reference))))


def _bundle_models(bundle: Bundle, embedder=None, encoder=None) -> LazyModels:
    """The bundle's own models (or the given, already loaded ones), loaded only if a signal needs them."""
    return LazyModels(title=lambda: embedder or _title_embedder(bundle.manifest, bundle.root),
                      thumbnail=lambda: encoder or thumbnail_encoder(bundle))


def _title_embedder(manifest: dict, root: Path):
    from ytrec.encoders.title import TextModelConfig, TitleEmbedder, check_same_model
    from ytrec.encoders.title.adapt import resolve_bundle_model

    recorded = manifest.get("text_model") or {}
    if "config" not in recorded:
        raise ArtifactError("the bundle records no text model: cannot embed new titles")
    config = resolve_bundle_model(TextModelConfig.from_dict(recorded["config"]), root)
    check_same_model(recorded["record"], config)
    return TitleEmbedder(config)
