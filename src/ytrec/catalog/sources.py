"""Pick the reader for a catalog source given on the command line."""

from __future__ import annotations

from pathlib import Path

from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.hf_dataset import read_hf_dataset
from ytrec.catalog.rows import SourceRows
from ytrec.catalog.table import TABLE_SUFFIXES, read_table
from ytrec.errors import CatalogError

HF_PREFIX = "hf:"


def read_source(spec: str, columns: ColumnMap, image_column: str = "image") -> SourceRows:
    """``hf:<hub id or saved dir>`` reads a Hugging Face dataset; anything else is a table file.

    A directory saved with ``Dataset.save_to_disk`` is also recognised without the prefix.
    """
    if spec.startswith(HF_PREFIX):
        return read_hf_dataset(spec[len(HF_PREFIX):], columns, image_column=image_column)
    path = Path(spec)
    if path.is_dir() and _is_saved_dataset(path):
        return read_hf_dataset(str(path), columns, image_column=image_column)
    if path.is_dir():
        tables = sorted(p for p in path.iterdir() if p.suffix.lower() in TABLE_SUFFIXES)
        if len(tables) == 1:
            return read_table(tables[0], columns)
        raise CatalogError(
            f"{path} is a folder with {len(tables)} catalog tables; name the table file itself"
        )
    return read_table(path, columns)


def _is_saved_dataset(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file() or (path / "dataset_info.json").is_file()
