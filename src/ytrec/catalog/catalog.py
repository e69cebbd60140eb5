"""The validated catalog: one row per accepted video, in index order.

Row ``i`` of the catalog is vector ``i`` of every modality's index, so a search hit maps to a
video without a separate id table. Stored as ``catalog.parquet`` (readable by pandas, polars,
DuckDB, Spark).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ytrec.errors import ArtifactError, QueryError

CORE_COLUMNS = ("video_id", "title", "channel", "category", "published_at", "thumb")


class Catalog:
    def __init__(self, table: pa.Table) -> None:
        missing = [c for c in CORE_COLUMNS if c not in table.column_names]
        if missing:
            raise ArtifactError(f"catalog table lacks column(s) {missing}")
        self.table = table
        self.video_ids: list[str] = table.column("video_id").to_pylist()
        self.titles: list[str] = table.column("title").to_pylist()
        self._row_of = {vid: i for i, vid in enumerate(self.video_ids)}

    @classmethod
    def from_records(cls, records: list[dict[str, object]]) -> "Catalog":
        columns = list(CORE_COLUMNS) + sorted({k for r in records for k in r} - set(CORE_COLUMNS))
        data = {c: [_cell(r.get(c)) for r in records] for c in columns}
        schema = pa.schema([pa.field(c, pa.string()) for c in columns])
        return cls(pa.table(data, schema=schema))

    def __len__(self) -> int:
        return len(self.video_ids)

    def __contains__(self, video_id: object) -> bool:
        return video_id in self._row_of

    @property
    def has_thumbnails(self) -> bool:
        return any(t is not None for t in self.column("thumb"))

    @property
    def extra_columns(self) -> list[str]:
        return [c for c in self.table.column_names if c not in CORE_COLUMNS]

    def column(self, name: str) -> list[str | None]:
        if name not in self.table.column_names:
            raise QueryError(f"catalog has no column '{name}' (columns: {', '.join(self.table.column_names)})")
        return self.table.column(name).to_pylist()

    def row_of(self, video_id: str) -> int:
        try:
            return self._row_of[video_id]
        except KeyError:
            raise QueryError(f"unknown video id '{video_id}'") from None

    def record(self, row: int) -> dict[str, str | None]:
        return {name: self.table.column(name)[row].as_py() for name in self.table.column_names}

    def save(self, path: Path) -> None:
        pq.write_table(self.table, path)

    @classmethod
    def load(cls, path: Path) -> "Catalog":
        try:
            return cls(pq.read_table(path))
        except (OSError, pa.ArrowException) as exc:
            raise ArtifactError(f"cannot read catalog {path}: {exc}") from None


def _cell(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
