"""Validate source rows into a Catalog, storing normalized thumbnails; report every skipped row."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from ytrec.catalog.catalog import CORE_COLUMNS, Catalog
from ytrec.catalog.columns import OPTIONAL_FIELDS, ColumnMap
from ytrec.catalog.images import ThumbnailError, open_thumbnail, save_thumbnail
from ytrec.catalog.report import IngestReport
from ytrec.catalog.rows import RawRow, SourceRows
from ytrec.errors import CatalogError
from ytrec.progress import progress

THUMBS_DIR = "thumbs"


def ingest(
    source: SourceRows,
    columns: ColumnMap,
    out_dir: Path,
    existing: Collection[str] = frozenset(),
    first_number: int = 0,
) -> tuple[Catalog, IngestReport]:
    """Validate every row; accepted thumbnails are written to ``out_dir/thumbs/``.

    ``existing``/``first_number`` are for adding to a bundle (``ytrec add``): a row whose id is
    already in it is skipped as a duplicate, and new thumbnails are numbered from ``first_number``.
    Raises CatalogError only when no row at all is usable.
    """
    report = IngestReport(source=source.description, total_rows=len(source.rows))
    thumbs = out_dir / THUMBS_DIR
    if source.has_thumbnails:
        thumbs.mkdir(parents=True, exist_ok=True)
    first_seen: dict[str, int] = {}
    records: list[dict[str, object]] = []
    for raw in progress(source.rows, desc="ingest"):
        record = _validate(raw, columns, first_seen, report, existing)
        if record is None:
            continue
        if source.has_thumbnails:
            try:
                image = _thumbnail(raw)
            except ThumbnailError as exc:
                report.skip(raw.number, str(record["video_id"]), exc.code, str(exc))
                continue
            name = f"{first_number + len(records):07d}.jpg"
            save_thumbnail(image, thumbs / name)
            record["thumb"] = f"{THUMBS_DIR}/{name}"
        first_seen[str(record["video_id"])] = raw.number
        records.append(record)
    report.accepted = len(records)
    if not records:
        raise CatalogError(f"no usable row in {source.description}:\n{report.summary()}")
    return Catalog.from_records(records), report


def _validate(
    raw: RawRow,
    columns: ColumnMap,
    first_seen: dict[str, int],
    report: IngestReport,
    existing: Collection[str] = frozenset(),
) -> dict[str, object] | None:
    video_id = _text(raw.fields.get(columns.video_id))
    if raw.problem:
        code = "invalid_utf8" if "UTF-8" in raw.problem else "unreadable_row"
        report.skip(raw.number, video_id, code, raw.problem)
        return None
    if not video_id:
        report.skip(raw.number, None, "missing_video_id", f"empty or missing '{columns.video_id}'")
        return None
    if video_id in existing:
        report.skip(raw.number, video_id, "duplicate_video_id", f"video id {video_id} is already in the bundle")
        return None
    if video_id in first_seen:
        report.skip(
            raw.number, video_id, "duplicate_video_id",
            f"video id {video_id} already used by row {first_seen[video_id]}; first row kept",
        )
        return None
    title = _text(raw.fields.get(columns.title))
    if not title:
        report.skip(raw.number, video_id, "missing_title", f"empty or missing '{columns.title}'")
        return None
    record: dict[str, object] = {"video_id": video_id, "title": " ".join(title.split())}
    for name in OPTIONAL_FIELDS:
        record[name] = _text(raw.fields.get(getattr(columns, name)))
    consumed = columns.mapped()
    for key, value in raw.fields.items():
        # a source column named like a catalog column (e.g. "thumb", the stored thumbnail path)
        # must never set it: only ingest decides which file inside the bundle a row points to
        if key not in consumed and key not in record and key not in CORE_COLUMNS:
            record[str(key)] = _text(value)
    return record


def _thumbnail(raw: RawRow):
    if raw.image is None:
        raise ThumbnailError("missing_thumbnail", "no thumbnail given for this row")
    return open_thumbnail(raw.image)



def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas-written tables
        return None
    text = str(value).strip()
    return text or None
