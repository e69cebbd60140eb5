"""Hugging Face ``datasets`` image datasets as catalog sources (hub id or saved to disk).

Example: ``Ransaka/youtube_recommendation_data`` (columns ``image`` + ``title``, splits
train and test) — the data the original project used. Images are read undecoded so one
broken image skips one row instead of aborting the iteration.
"""

from __future__ import annotations

from pathlib import Path

from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.rows import RawRow, SourceRows
from ytrec.errors import CatalogError


def read_hf_dataset(
    name_or_path: str, columns: ColumnMap, image_column: str = "image", splits: list[str] | None = None
) -> SourceRows:
    try:
        import datasets
    except ImportError:
        raise CatalogError("reading a Hugging Face dataset needs `pip install datasets`") from None
    loaded = _load(datasets, name_or_path)
    if isinstance(loaded, datasets.Dataset):
        parts = {"data": loaded}
    else:
        wanted = splits or list(loaded.keys())
        missing = [s for s in wanted if s not in loaded]
        if missing:
            raise CatalogError(f"dataset {name_or_path} has no split(s) {missing}; it has {list(loaded.keys())}")
        parts = {s: loaded[s] for s in wanted}
    rows: list[RawRow] = []
    has_images = False
    for split, part in parts.items():
        if image_column in part.column_names:
            has_images = True
            if isinstance(part.features[image_column], datasets.Image):
                part = part.cast_column(image_column, datasets.Image(decode=False))
        if columns.title not in part.column_names:
            raise CatalogError(
                f"dataset {name_or_path} split {split} has no column '{columns.title}' "
                f"(columns: {', '.join(part.column_names)}); map it with --col-title"
            )
        for index, record in enumerate(part):
            fields = {k: v for k, v in record.items() if k != image_column}
            fields.setdefault(columns.video_id, f"{split}-{index}")
            if len(parts) > 1:
                fields.setdefault("split", split)
            rows.append(RawRow(number=len(rows) + 1, fields=fields, image=_image_payload(record.get(image_column))))
    return SourceRows(description=f"hf:{name_or_path}", rows=rows, has_thumbnails=has_images)


def _load(datasets, name_or_path: str):
    path = Path(name_or_path)
    try:
        if path.exists():
            return datasets.load_from_disk(str(path))
        return datasets.load_dataset(name_or_path)
    except Exception as exc:  # the library raises many types; the user needs one line
        raise CatalogError(
            f"cannot load Hugging Face dataset '{name_or_path}': {type(exc).__name__}: {exc}. "
            "Offline? Save it where you are online with dataset.save_to_disk(DIR) and pass DIR."
        ) from None


def _image_payload(value: object) -> Path | bytes | None:
    if isinstance(value, dict):
        if value.get("bytes"):
            return value["bytes"]
        if value.get("path"):
            return Path(value["path"])
    return None
