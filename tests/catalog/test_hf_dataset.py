"""The Hugging Face path, on a tiny image dataset saved locally (no hub access)."""

import io
from pathlib import Path

import pytest
from PIL import Image

datasets = pytest.importorskip("datasets")

from ytrec.catalog.columns import ColumnMap  # noqa: E402
from ytrec.catalog.ingest import ingest  # noqa: E402
from ytrec.catalog.sources import read_source  # noqa: E402
from ytrec.errors import CatalogError  # noqa: E402


def _png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 360), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture()
def saved_dataset(tmp_path: Path) -> Path:
    features = datasets.Features({"image": datasets.Image(), "title": datasets.Value("string")})
    train = datasets.Dataset.from_dict(
        {"image": [{"bytes": _png((255, 0, 0)), "path": None}, {"bytes": b"broken", "path": None}],
         "title": ["රසවත් කෑම", "bad image"]},
        features=features,
    )
    test = datasets.Dataset.from_dict(
        {"image": [{"bytes": _png((0, 0, 255)), "path": None}], "title": ["Cricket"]}, features=features
    )
    path = tmp_path / "ds"
    datasets.DatasetDict({"train": train, "test": test}).save_to_disk(str(path))
    return path


def test_saved_dataset_dict_ingests_all_splits(saved_dataset: Path, tmp_path: Path):
    source = read_source(f"hf:{saved_dataset}", ColumnMap())
    assert source.has_thumbnails
    catalog, report = ingest(source, ColumnMap(), tmp_path / "out")
    assert catalog.video_ids == ["train-0", "test-0"]
    assert catalog.column("split") == ["train", "test"]
    assert [(s.video_id, s.reason) for s in report.skipped] == [("train-1", "not_an_image")]
    # a saved folder is recognised without the hf: prefix as well
    assert len(read_source(str(saved_dataset), ColumnMap()).rows) == 3


def test_unknown_hub_dataset_offline_is_a_clear_error():
    with pytest.raises(CatalogError, match="cannot load Hugging Face dataset"):
        read_source("hf:nobody/does-not-exist-ytrec", ColumnMap())
