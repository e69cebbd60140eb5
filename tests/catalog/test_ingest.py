"""Every kind of bad row is skipped with its reason; good rows survive; nothing is silent."""

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.ingest import ingest
from ytrec.catalog.sources import read_source
from ytrec.errors import CatalogError


def _image(path: Path, colour=(200, 50, 50), size=(480, 360)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, format="JPEG")
    return f"images/{path.name}"


def _write_csv(path: Path, rows: list[dict], extra_lines: list[bytes] = ()) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["video_id", "title", "thumbnail", "channel", "views"])
        writer.writeheader()
        writer.writerows(rows)
    with path.open("ab") as handle:
        for line in extra_lines:
            handle.write(line)
    return path


@pytest.fixture()
def messy_catalog(tmp_path: Path) -> Path:
    d = tmp_path / "cat"
    images = d / "images"
    good = [_image(images / f"g{i}.jpg", (20 * i, 100, 150)) for i in range(4)]
    (images / "text.jpg").write_text("not an image")
    full = images / "trunc.jpg"
    Image.effect_noise((480, 360), 50).convert("RGB").save(full, format="JPEG")
    full.write_bytes(full.read_bytes()[:3000])
    Image.new("1", (7000, 7000)).save(images / "bomb.png")
    rows = [
        {"video_id": "a", "title": "Good one", "thumbnail": good[0], "channel": "c1", "views": "10"},
        {"video_id": "b", "title": "Another good", "thumbnail": good[1], "channel": "c1", "views": "11"},
        {"video_id": "c", "title": "   ", "thumbnail": good[2], "channel": "c2", "views": "12"},
        {"video_id": "d", "title": "no image file", "thumbnail": "images/missing.jpg", "channel": "c2", "views": ""},
        {"video_id": "e", "title": "a text file", "thumbnail": "images/text.jpg", "channel": "c2", "views": ""},
        {"video_id": "f", "title": "truncated", "thumbnail": "images/trunc.jpg", "channel": "c2", "views": ""},
        {"video_id": "g", "title": "bomb", "thumbnail": "images/bomb.png", "channel": "c2", "views": ""},
        {"video_id": "a", "title": "duplicate id", "thumbnail": good[3], "channel": "c3", "views": ""},
        {"video_id": "", "title": "no id", "thumbnail": good[3], "channel": "c3", "views": ""},
        {"video_id": "h", "title": "ශ්‍රී ලංකා கிரிக்கெட் mixed", "thumbnail": good[3], "channel": "c3", "views": "5"},
        {"video_id": "i", "title": "empty thumbnail cell", "thumbnail": "", "channel": "c3", "views": ""},
    ]
    return _write_csv(d / "catalog.csv", rows, [b"j,caf\xe9 latin-1 title,images/g0.jpg,c3,1\n"])


def test_bad_rows_are_reported_with_reasons(messy_catalog: Path, tmp_path: Path):
    catalog, report = ingest(read_source(str(messy_catalog), ColumnMap()), ColumnMap(), tmp_path / "out")
    assert catalog.video_ids == ["a", "b", "h"]
    reasons = {s.video_id: s.reason for s in report.skipped}
    assert reasons == {
        "c": "missing_title",
        "d": "missing_thumbnail",
        "e": "not_an_image",
        "f": "unreadable_image",
        "g": "decompression_bomb",
        "a": "duplicate_video_id",
        None: "missing_video_id",
        "i": "missing_thumbnail",
        "j": "invalid_utf8",
    }
    assert report.total_rows == 12 and report.accepted == 3
    assert len(report.skipped) + report.accepted == report.total_rows
    assert "ingest: 3 of 12 rows accepted" in report.summary()
    out = tmp_path / "r.json"
    report.write(out)
    assert json.loads(out.read_text())["skipped_by_reason"]["missing_thumbnail"] == 2


def test_extra_columns_are_kept_and_thumbnails_stored(messy_catalog: Path, tmp_path: Path):
    catalog, _ = ingest(read_source(str(messy_catalog), ColumnMap()), ColumnMap(), tmp_path / "out")
    assert catalog.extra_columns == ["views"]
    assert catalog.column("views") == ["10", "11", "5"]
    for thumb in catalog.column("thumb"):
        with Image.open(tmp_path / "out" / thumb) as img:
            assert img.size == (320, 180)
    assert catalog.titles[2] == "ශ්‍රී ලංකා கிரிக்கெட் mixed"


def test_no_valid_row_is_a_clear_error(tmp_path: Path):
    path = _write_csv(tmp_path / "c.csv", [{"video_id": "x", "title": "", "thumbnail": "", "channel": "", "views": ""}])
    with pytest.raises(CatalogError, match="no usable row"):
        ingest(read_source(str(path), ColumnMap()), ColumnMap(), tmp_path / "out")


def test_titles_only_table(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("video_id,title,channel_id\nv1,පුවත් today,ch1\nv2,Cricket highlights,ch2\n", encoding="utf-8")
    source = read_source(str(path), ColumnMap(channel="channel_id"))
    assert not source.has_thumbnails
    catalog, report = ingest(source, ColumnMap(channel="channel_id"), tmp_path / "out")
    assert len(catalog) == 2 and not catalog.has_thumbnails
    assert catalog.column("channel") == ["ch1", "ch2"]
    assert not (tmp_path / "out" / "thumbs").exists()


def test_mapped_columns_and_jsonl_and_parquet(tmp_path: Path):
    rel = _image(tmp_path / "images" / "x.jpg")
    records = [
        {"id": "x1", "name": "First", "img": rel, "ch": "A"},
        {"id": "x2", "name": "Second", "img": str((tmp_path / rel).resolve()), "ch": "B"},
    ]
    columns = ColumnMap(video_id="id", title="name", thumbnail="img", channel="ch")
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_bytes(b"\n".join(json.dumps(r).encode() for r in records) + b"\n{broken json\n\xff\xfe\n")
    catalog, report = ingest(read_source(str(jsonl), columns), columns, tmp_path / "o1")
    assert catalog.video_ids == ["x1", "x2"]
    assert sorted(s.reason for s in report.skipped) == ["invalid_utf8", "unreadable_row"]
    parquet = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    catalog, report = ingest(read_source(str(parquet), columns), columns, tmp_path / "o2")
    assert catalog.column("channel") == ["A", "B"] and not report.skipped


def test_missing_required_column_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_text("id,name\n1,x\n")
    with pytest.raises(CatalogError, match="no column 'video_id'.*--col-id"):
        read_source(str(path), ColumnMap())


def test_unsupported_and_missing_files(tmp_path: Path):
    with pytest.raises(CatalogError, match="not found"):
        read_source(str(tmp_path / "nope.csv"), ColumnMap())
    (tmp_path / "c.xlsx").write_text("x")
    with pytest.raises(CatalogError, match="unsupported"):
        read_source(str(tmp_path / "c.xlsx"), ColumnMap())


def test_real_thumbnails_ingest(tmp_path: Path):
    real = Path(__file__).resolve().parents[3] / "shared" / "data" / "thumbs-real" / "metadata.csv"
    columns = ColumnMap(thumbnail="image")
    catalog, report = ingest(read_source(str(real), columns), columns, tmp_path / "out")
    # the data has one video id twice (same image, both labels): the second is reported
    assert [s.reason for s in report.skipped] == ["duplicate_video_id"]
    assert len(catalog) == report.total_rows - 1
    assert set(catalog.column("clickbait")) == {"0", "1"}
