"""Generated catalog tables and their expected ingest outcome, for the fuzzing tests and script.

A case is drawn as *intents* (this row has a good id, that one a duplicate, this thumbnail is
truncated...), written to disk as CSV, JSONL or Parquet with hostile text around it (odd Unicode,
NUL bytes, BOMs, CSV-injection strings, very long fields), and carries the outcome the ingest
rules promise: which rows are accepted (in order, with which title and extra columns) and which
are skipped with which reason code. ``check_table_case`` runs ingest and compares.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st
from PIL import Image

from ytrec.catalog.catalog import CORE_COLUMNS
from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.images import THUMB_HEIGHT, THUMB_WIDTH
from ytrec.catalog.ingest import ingest
from ytrec.catalog.sources import read_source
from ytrec.errors import CatalogError

BAD_UTF8_TOKEN = "@@BADUTF8@@"  # replaced by invalid bytes after encoding
CSV_FIELD_LIMIT = 131072  # Python's csv module default limit: longer fields must still be read

# Text a hostile or careless catalog holds: injection, control characters, bidi, emoji, scripts.
SPICY = [
    "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", "=HYPERLINK(\"http://x\")", "\t=1", "\r\n=1",
    "nul\x00byte", "\ufeffbom inside", "\u202eevil\u202c", "zero\u200bwidth", "ශ්‍රී ලංකා", "கிரிக்கெட்",
    "😀🎬", "a\u0301\u0301\u0301", "\x1b[31mred", "<script>alert(1)</script>", "../../etc/passwd",
    "%00", "line\nbreak", "quote\"inside", "comma,inside", "\u2028sep\u2029", "ＰＯＬ", "\x7f\x80\x9f",
]

text_values = st.one_of(
    st.sampled_from(SPICY),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=24),
)
good_text = text_values.filter(lambda t: bool(t.strip()))
blank_text = st.sampled_from(["", " ", "\t", "\u3000", "\n", " \u00a0 "])


@dataclass
class RowIntent:
    id_kind: str  # good | blank | missing | dup
    id_value: object
    title_kind: str  # good | blank | missing | bad_utf8 | long
    title: str | None
    thumb_kind: str  # see THUMB_KINDS
    channel: str | None
    extras: dict[str, str | None]
    broken_line: str | None = None  # JSONL only: a line that is not a usable JSON object


@dataclass
class TableCase:
    fmt: str  # csv | jsonl | parquet
    rows: list[RowIntent]
    has_thumbnails: bool
    extra_names: list[str]
    bom: bool
    expected_error: str | None = None  # a file-level refusal (e.g. a required column on no line)
    expected_accepted: list[dict] = field(default_factory=list)
    expected_skipped: list[tuple[int, str]] = field(default_factory=list)


# thumbnail intent -> the reason code it must be skipped with (None: accepted)
THUMB_KINDS = {
    "jpeg": None, "png_rgba": None, "gif_palette_transparent": None, "webp": None, "cmyk_jpeg": None,
    "png16": None, "png_as_jpg": None, "exif_rotated": None,
    "missing_file": "missing_thumbnail", "empty_cell": "missing_thumbnail", "directory": "missing_thumbnail",
    "text_file": "not_an_image", "empty_file": "not_an_image", "truncated_jpeg": "unreadable_image",
    "huge_declared": "decompression_bomb",
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_declared_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header declaring a gigantic image, followed by a few bytes of pixel data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


def _encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def thumbnail_file(kind: str) -> tuple[str, bytes | None]:
    """(file name, bytes) for an intent; bytes None means "do not create the file"."""
    base = Image.effect_noise((64, 36), 40).convert("RGB")
    if kind == "jpeg":
        return "t.jpg", _encoded(base, "JPEG")
    if kind == "png_rgba":
        return "t.png", _encoded(base.convert("RGBA"), "PNG")
    if kind == "gif_palette_transparent":
        return "t.gif", _encoded(base.convert("P"), "GIF", transparency=0)
    if kind == "webp":
        return "t.webp", _encoded(base, "WEBP")
    if kind == "cmyk_jpeg":
        return "t.jpg", _encoded(base.convert("CMYK"), "JPEG")
    if kind == "png16":
        deep = np.asarray(base.convert("L"), dtype=np.uint16) * 257
        return "t.png", _encoded(Image.fromarray(deep), "PNG")
    if kind == "png_as_jpg":
        return "t.jpg", _encoded(base, "PNG")
    if kind == "exif_rotated":
        exif = Image.Exif()
        exif[0x0112] = 6
        return "t.jpg", _encoded(base, "JPEG", exif=exif.tobytes())
    if kind == "text_file":
        return "t.jpg", b"this is not an image\n"
    if kind == "empty_file":
        return "t.png", b""
    if kind == "truncated_jpeg":
        full = _encoded(Image.effect_noise((200, 120), 60).convert("RGB"), "JPEG", quality=95)
        return "t.jpg", full[: len(full) // 3]
    if kind == "huge_declared":
        return "t.png", huge_declared_png()
    return "t.jpg", None  # missing_file / empty_cell / directory: nothing written


@st.composite
def row_intents(draw, fmt: str, extra_names: list[str], earlier_ids: list[str]) -> RowIntent:
    id_kinds = ["good", "good", "good", "blank", "missing"] + (["dup"] if earlier_ids else [])
    id_kind = draw(st.sampled_from(id_kinds))
    id_value: object = None
    if id_kind == "good":
        id_value = draw(st.one_of(good_text, st.integers(0, 10**6))) if fmt != "csv" else draw(good_text)
    elif id_kind == "blank":
        id_value = draw(blank_text)
    elif id_kind == "dup":
        id_value = draw(st.sampled_from(earlier_ids)) + draw(st.sampled_from(["", " ", "\t"]))
    title_kinds = ["good", "good", "good", "blank", "missing", "long"] + (["bad_utf8"] if fmt != "parquet" else [])
    title_kind = draw(st.sampled_from(title_kinds))
    title = {"good": lambda: draw(good_text), "blank": lambda: draw(blank_text), "missing": lambda: None,
             "long": lambda: "long " + "ü" * draw(st.integers(CSV_FIELD_LIMIT, CSV_FIELD_LIMIT + 5000)),
             "bad_utf8": lambda: "caf" + BAD_UTF8_TOKEN}[title_kind]()
    thumb_kind = draw(st.sampled_from(sorted(THUMB_KINDS)))
    channel = draw(st.one_of(st.none(), text_values))
    extras = {name: draw(st.one_of(st.none(), text_values)) for name in extra_names}
    broken = None
    if fmt == "jsonl" and draw(st.integers(0, 9)) == 0:
        broken = draw(st.sampled_from([
            "{not json", "[1, 2, 3]", '"a string"', "null", '{"video_id": "x", "title": ' + "[" * 50_000 + "]" * 50_000 + "}",
            '{"video_id": "x", "title": "t", "n": ' + "9" * 5000 + "}",
        ]))
    return RowIntent(id_kind, id_value, title_kind, title, thumb_kind, channel, extras, broken)


reserved_or_extra_names = st.one_of(
    st.sampled_from(["thumb", "views", "Unnamed: 0", "tags", "=1+1", "ලේබලය", "col with space"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=10),
)


@st.composite
def table_cases(draw) -> TableCase:
    fmt = draw(st.sampled_from(["csv", "jsonl", "parquet"]))
    mapped = ColumnMap().mapped()
    names = draw(st.lists(reserved_or_extra_names, max_size=3, unique=True))
    extra_names = [n for n in names if n not in mapped and n.strip() == n and n]
    has_thumbnails = draw(st.booleans())
    bom = fmt != "parquet" and draw(st.booleans())
    rows: list[RowIntent] = []
    for _ in range(draw(st.integers(1, 7))):
        earlier = [str(r.id_value).strip() for r in rows if r.id_kind in ("good", "dup") and str(r.id_value).strip()]
        rows.append(draw(row_intents(fmt, extra_names, earlier)))
    case = TableCase(fmt, rows, has_thumbnails, extra_names, bom)
    _expect(case)
    return case


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _expect(case: TableCase) -> None:
    """The outcome the ingest rules promise, rule by rule, in their documented order."""
    if case.fmt == "jsonl":  # a key that no readable line has is a missing column
        readable = [r for r in case.rows if r.broken_line is None and r.title_kind != "bad_utf8"]
        keys = {"channel", *case.extra_names, *(["thumbnail"] if case.has_thumbnails else [])} if readable else set()
        keys |= {"video_id" for r in readable if r.id_kind != "missing"}
        keys |= {"title" for r in readable if r.title is not None}
        missing = [name for name in ("video_id", "title") if keys and name not in keys]
        if missing:
            case.expected_error = f"has no column '{missing[0]}'"
            return
    accepted_ids: set[str] = set()
    number = 0
    for intent in case.rows:
        number += 1
        if intent.broken_line is not None:
            case.expected_skipped.append((number, "unreadable_row"))
            continue
        if intent.title_kind == "bad_utf8":
            case.expected_skipped.append((number, "invalid_utf8"))
            continue
        video_id = _text(intent.id_value) if intent.id_kind != "missing" else None
        if video_id is None:
            case.expected_skipped.append((number, "missing_video_id"))
            continue
        if video_id in accepted_ids:
            case.expected_skipped.append((number, "duplicate_video_id"))
            continue
        title = _text(intent.title)
        if title is None:
            case.expected_skipped.append((number, "missing_title"))
            continue
        if case.has_thumbnails and THUMB_KINDS[intent.thumb_kind] is not None:
            case.expected_skipped.append((number, THUMB_KINDS[intent.thumb_kind]))
            continue
        accepted_ids.add(video_id)
        case.expected_accepted.append({
            "video_id": video_id, "title": " ".join(title.split()), "channel": _text(intent.channel),
            **{name: _text(intent.extras.get(name)) for name in case.extra_names if name not in CORE_COLUMNS},
        })


def write_case(case: TableCase, folder: Path) -> Path:
    """Write the table (and its thumbnail files) into ``folder``; returns the table path."""
    images = folder / "images"
    images.mkdir(parents=True)
    records: list[dict[str, object]] = []
    for number, intent in enumerate(case.rows, start=1):
        record: dict[str, object] = {}
        if intent.id_kind != "missing":
            record["video_id"] = intent.id_value
        if intent.title is not None:
            record["title"] = intent.title
        record["channel"] = intent.channel
        record.update(intent.extras)
        if case.has_thumbnails:
            record["thumbnail"] = _thumbnail_cell(intent.thumb_kind, images, number)
        records.append(record)
    path = folder / f"catalog.{case.fmt}"
    if case.fmt == "csv":
        _write_csv(case, records, path)
    elif case.fmt == "jsonl":
        _write_jsonl(case, records, path)
    else:
        _write_parquet(case, records, path)
    return path


def _thumbnail_cell(kind: str, images: Path, number: int) -> str:
    if kind == "empty_cell":
        return ""
    if kind == "directory":
        return "images"
    name, data = thumbnail_file(kind)
    target = images / f"{number}-{name}"
    if data is not None:
        target.write_bytes(data)
    return f"images/{target.name}"


def _columns(case: TableCase) -> list[str]:
    return ["video_id", "title", "channel", *case.extra_names] + (["thumbnail"] if case.has_thumbnails else [])


def _encode(text: str, bom: bool) -> bytes:
    data = text.encode("utf-8", errors="surrogatepass").replace(BAD_UTF8_TOKEN.encode(), b"\xe9\xff")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _write_csv(case: TableCase, records: list[dict], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(case), lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
    path.write_bytes(_encode(buffer.getvalue(), case.bom))


def _write_jsonl(case: TableCase, records: list[dict], path: Path) -> None:
    lines = []
    for intent, record in zip(case.rows, records):
        if intent.broken_line is not None:
            lines.append(intent.broken_line)
        else:
            lines.append(json.dumps(record, ensure_ascii=len(lines) % 2 == 0))
    path.write_bytes(_encode("\n".join(lines) + "\n", case.bom))


def _write_parquet(case: TableCase, records: list[dict], path: Path) -> None:
    data = {name: [_parquet_cell(r.get(name)) for r in records] for name in _columns(case)}
    pq.write_table(pa.table({k: pa.array(v, pa.string()) for k, v in data.items()}), path)


def _parquet_cell(value: object) -> str | None:
    return None if value is None else str(value)


def check_table_case(case: TableCase, folder: Path) -> str:
    """Ingest the written case and compare with its expectation; returns "accepted" or "refused".

    Raises AssertionError on any broken promise; any other exception is a crash.
    """
    table = write_case(case, folder)
    columns = ColumnMap()
    out = folder / "out"
    try:
        source = read_source(str(table), columns)
        catalog, report = ingest(source, columns, out)
    except CatalogError as exc:
        if case.expected_error is not None:
            assert case.expected_error in str(exc).splitlines()[0], exc
            return "refused"
        assert not case.expected_accepted, f"refused although rows {case.expected_accepted} are good: {exc}"
        first = str(exc).splitlines()[0]
        assert first.startswith("no usable row in "), first
        assert "Traceback" not in str(exc)
        return "refused"
    assert case.expected_error is None, f"accepted a table that should be refused: {case.expected_error}"
    got = [(s.row, s.reason) for s in report.skipped]
    assert got == case.expected_skipped, f"skipped {got}, expected {case.expected_skipped}"
    assert report.accepted == len(case.expected_accepted) == len(catalog)
    assert report.total_rows == len(case.rows)
    for row, expected in enumerate(case.expected_accepted):
        record = catalog.record(row)
        for name, value in expected.items():
            assert record[name] == value, f"row {row} column {name!r}: {record[name]!r} != {value!r}"
        assert set(record) - set(CORE_COLUMNS) == set(expected) - set(CORE_COLUMNS)
        if case.has_thumbnails:
            assert record["thumb"] == f"thumbs/{row:07d}.jpg"
            with Image.open(out / record["thumb"]) as stored:
                assert stored.size == (THUMB_WIDTH, THUMB_HEIGHT) and stored.mode == "RGB"
        else:
            assert record["thumb"] is None
    return "accepted"
