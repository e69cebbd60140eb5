"""What fuzzing found in ingest, pinned one case each (each of these crashed or misbehaved before)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytrec.artifact.bundle import Bundle
from ytrec.catalog import images
from ytrec.catalog.catalog import Catalog
from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.images import ThumbnailError, open_thumbnail
from ytrec.catalog.ingest import ingest
from ytrec.catalog.sources import read_source
from ytrec.errors import ArtifactError, CatalogError


def _ingest(path: Path, data: bytes):
    path.write_bytes(data)
    return ingest(read_source(str(path), ColumnMap()), ColumnMap(), path.parent / "out")


def test_a_field_over_128_kib_is_read_and_the_quoted_row_after_it_too(tmp_path: Path):
    data = b"video_id,title,channel\na," + b"x" * 200_000 + b',"multi\nline"\nb,ok,c\n'
    catalog, report = _ingest(tmp_path / "t.csv", data)
    assert catalog.video_ids == ["a", "b"] and not report.skipped
    assert len(catalog.titles[0]) == 200_000 and catalog.record(0)["channel"] == "multi\nline"


def test_a_byte_order_mark_before_the_first_jsonl_line_keeps_that_row(tmp_path: Path):
    catalog, report = _ingest(tmp_path / "t.jsonl", b'\xef\xbb\xbf{"video_id":"a","title":"t"}\n{"video_id":"b","title":"u"}\n')
    assert catalog.video_ids == ["a", "b"] and not report.skipped


@pytest.mark.parametrize("value", [b"9" * 5000, b"[" * 100_000 + b"]" * 100_000])
def test_a_5000_digit_number_or_deep_nesting_skips_only_its_line(tmp_path: Path, value: bytes):
    data = b'{"video_id":"a","title":"t","n":' + value + b'}\n{"video_id":"b","title":"u"}\n'
    catalog, report = _ingest(tmp_path / "t.jsonl", data)
    assert catalog.video_ids == ["b"] and [(s.row, s.reason) for s in report.skipped] == [(1, "unreadable_row")]


def test_only_unreadable_lines_are_reported_row_by_row_not_as_a_missing_column(tmp_path: Path):
    with pytest.raises(CatalogError, match="no usable row") as error:
        _ingest(tmp_path / "t.jsonl", b"{not json\n[1]\n")
    assert "2 unreadable_row" in str(error.value)


def test_a_source_column_named_thumb_never_sets_the_stored_thumbnail_path(tmp_path: Path):
    catalog, _ = _ingest(tmp_path / "t.csv", b"video_id,title,thumb\na,x,../../etc/passwd\n")
    assert catalog.record(0)["thumb"] is None and "thumb" not in catalog.extra_columns


def test_a_bundle_catalog_pointing_outside_thumbs_is_refused(tmp_path: Path):
    records = [{"video_id": "a", "title": "t", "thumb": "../../../etc/passwd"}]
    bundle = Bundle(tmp_path.resolve(), {}, Catalog.from_records(records), {})
    with pytest.raises(ArtifactError, match="outside thumbs/"):
        bundle.thumbnail_path(0)


def test_a_header_naming_a_column_twice_is_one_clear_error(tmp_path: Path):
    with pytest.raises(CatalogError, match="title, video_id more than once"):
        _ingest(tmp_path / "t.csv", b"video_id,title,title,video_id\na,x,y,z\n")


def test_an_unreadable_thumbnail_path_is_a_skipped_row(tmp_path: Path):
    path = Path("/proc/self/mem")  # a file whose read fails with an I/O error, whoever runs the test
    with pytest.raises(ThumbnailError) as error:
        open_thumbnail(path)
    assert error.value.code == "unreadable_image"


def test_an_image_file_over_the_size_cap_is_not_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.png"
    Image.effect_noise((100, 100), 50).convert("RGB").save(path)
    with pytest.raises(ThumbnailError) as error:
        open_thumbnail(path)
    assert error.value.code == "file_too_large"


def test_16_bit_greyscale_keeps_its_tones_instead_of_turning_white(tmp_path: Path):
    ramp = (np.tile(np.linspace(0, 65535, 320), (180, 1))).astype(np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)
    stored = np.asarray(open_thumbnail(path))[90, :, 0].astype(int)
    assert stored[10] < 30 and 100 < stored[160] < 160 and stored[-10] > 225
