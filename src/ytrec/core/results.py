"""What a recommendation list is made of, shared by the CLI, the API and the web page."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ytrec.catalog.catalog import Catalog


@dataclass(frozen=True)
class Recommendation:
    rank: int
    video_id: str
    title: str
    channel: str | None
    category: str | None
    score: float
    thumbnail_score: float | None  # cosine of thumbnail latents; None when the bundle has none
    title_score: float | None  # cosine of title embeddings
    # Explanation: every probed modality's similarity, each fusing modality's share of ``score``
    # (contributions sum to ``score``), and the driver: the modality whose contribution lifts this
    # result most above its average over the candidate pool.
    scores: dict[str, float] = field(default_factory=dict)
    contributions: dict[str, float] = field(default_factory=dict)
    driver: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class CodedColumn:
    """A repetitive catalog column (channel, category) as integer codes and its distinct values.

    Read once when a Recommender opens: a list needs a few values per query, and reading them
    from the Arrow table costs microseconds each, while a million-row column of Python strings
    costs tens of MB; codes cost 4 bytes a row and also serve the channel cap.
    """

    def __init__(self, column: pa.ChunkedArray) -> None:
        encoded = pc.dictionary_encode(column.combine_chunks())
        self.codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
        self.values: list[str | None] = encoded.dictionary.to_pylist()
        self.code_of: dict[str | None, int] = {value: code for code, value in enumerate(self.values)}

    def __getitem__(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.values[code]


class ResultColumns:
    """The catalog columns a result shows, prepared for reading a handful of rows per query."""

    def __init__(self, catalog: Catalog) -> None:
        self.video_ids = catalog.video_ids
        self.titles = catalog.titles
        self.channel = CodedColumn(catalog.table.column("channel"))
        self.category = CodedColumn(catalog.table.column("category"))


def recommendations(
    columns: ResultColumns,
    rows: np.ndarray,
    fused: np.ndarray,
    scores: dict[str, np.ndarray],
    contributions: dict[str, np.ndarray],
    drivers: list[str | None],
) -> list[Recommendation]:
    """One Recommendation per listed row; every array is aligned with ``rows`` (list order)."""
    score_names, part_names = list(scores), list(contributions)
    values = _rounded([fused, *scores.values(), *contributions.values()], len(rows))
    first_part = 1 + len(score_names)
    listed = []
    for i, row in enumerate(np.asarray(rows).tolist()):
        row_values = values[i]
        by_modality = dict(zip(score_names, row_values[1:first_part]))
        listed.append(Recommendation(
            rank=i + 1,
            video_id=str(columns.video_ids[row]),
            title=str(columns.titles[row]),
            channel=columns.channel[row],
            category=columns.category[row],
            score=row_values[0],
            thumbnail_score=by_modality.get("thumbnail"),
            title_score=by_modality.get("title"),
            scores=by_modality,
            contributions=dict(zip(part_names, row_values[first_part:])),
            driver=drivers[i],
        ))
    return listed


def _rounded(columns: list[np.ndarray], n: int) -> list[list[float]]:
    """Per listed row, its value in each column rounded to 6 decimals, as Python floats: one
    rounding of the whole table. (For float32 values, scaling by 1e6 in float64 is exact, so this
    rounds exactly as Python's ``round(v, 6)``.)"""
    table = np.empty((n, len(columns)), dtype=np.float64)
    for j, column in enumerate(columns):
        table[:, j] = column
    return np.round(table, 6).tolist()
