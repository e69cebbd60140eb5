"""Tables (CSV, JSONL, Parquet) as catalog sources.

Rows are decoded one at a time so that a single line of invalid UTF-8 skips that row with a
reason instead of failing the whole file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.rows import RawRow, SourceRows
from ytrec.errors import CatalogError

CSV_FIELD_LIMIT = 2**31 - 1
TABLE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


def read_table(path: Path, columns: ColumnMap) -> SourceRows:
    if not path.is_file():
        raise CatalogError(f"catalog table not found: {path}")
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise CatalogError(
            f"unsupported catalog table {path.name}: use .csv, .jsonl/.ndjson or .parquet"
        )
    records = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[kind](path)
    header: set[str] = set()
    for row in records:
        header.update(row.fields)
    for required in (columns.video_id, columns.title):
        if header and required not in header:  # no header at all: every row unreadable, reported one by one
            raise CatalogError(
                f"{path.name} has no column '{required}' (columns: {', '.join(sorted(header))}); "
                "map yours with --col-id / --col-title"
            )
    has_thumbnails = columns.thumbnail in header
    base = path.parent.resolve()
    for row in records:
        value = row.fields.get(columns.thumbnail)
        if has_thumbnails and isinstance(value, str) and value.strip():
            image = Path(value.strip())
            row.image = image if image.is_absolute() else base / image
    return SourceRows(description=str(path), rows=records, has_thumbnails=has_thumbnails)


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _read_csv(path: Path) -> list[RawRow]:
    # The csv module refuses fields over 128 KiB and, after that error, resumes mid-record (a quoted
    # multi-line field that follows turns into garbage rows): lift the limit while reading instead.
    limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return _read_csv_rows(path)
    finally:
        csv.field_size_limit(limit)


def _read_csv_rows(path: Path) -> list[RawRow]:
    rows: list[RawRow] = []
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames
        except csv.Error as exc:
            raise CatalogError(f"{path.name}: unreadable header row: {exc}") from None
        if header is None:
            raise CatalogError(f"{path.name} is empty (no header row)")
        twice = sorted({name for name in header if name and header.count(name) > 1})
        if twice:
            raise CatalogError(f"{path.name} has column(s) {', '.join(twice)} more than once; name every column once")
        number = 0
        while True:
            number += 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # this row only
                rows.append(RawRow(number=number, problem=f"unreadable CSV row: {exc}"))
                continue
            fields = {k: v for k, v in record.items() if k is not None}
            bad = [k for k, v in fields.items() if isinstance(v, str) and _has_surrogates(v)]
            problem = f"invalid UTF-8 in column(s) {', '.join(bad)}" if bad else None
            rows.append(RawRow(number=number, fields=fields, problem=problem))
    return rows


def _read_jsonl(path: Path) -> list[RawRow]:
    rows: list[RawRow] = []
    with path.open("rb") as handle:
        number = 0
        for raw in handle:
            if not raw.strip():
                continue
            number += 1
            try:
                # utf-8-sig: a byte-order mark (Windows editors write one) before the first line
                record = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
            except UnicodeDecodeError:
                rows.append(RawRow(number=number, problem="invalid UTF-8 on this line"))
                continue
            except json.JSONDecodeError as exc:
                rows.append(RawRow(number=number, problem=f"not valid JSON: {exc.msg}"))
                continue
            except (ValueError, RecursionError) as exc:  # a 5,000-digit number, arrays nested 100,000 deep
                rows.append(RawRow(number=number, problem=f"not usable JSON: {str(exc).split(':')[0]}"))
                continue
            if not isinstance(record, dict):
                rows.append(RawRow(number=number, problem="line is not a JSON object"))
                continue
            rows.append(RawRow(number=number, fields=record))
    return rows


def _read_parquet(path: Path) -> list[RawRow]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise CatalogError(f"cannot read Parquet file {path.name}: {exc}") from None
    rows: list[RawRow] = []
    for number, record in enumerate(table.to_pylist(), start=1):
        problem = None
        for key, value in list(record.items()):
            if isinstance(value, bytes):
                try:
                    record[key] = value.decode("utf-8")
                except UnicodeDecodeError:
                    problem = f"invalid UTF-8 in column {key}"
        rows.append(RawRow(number=number, fields=record, problem=problem))
    return rows
