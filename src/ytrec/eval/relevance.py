"""Relevance from a label column: for a query video, the other videos with the same label.

Videos without a label, and videos whose label no other video shares, cannot be judged and are
not used as queries (they still count as catalog items that may be recommended).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ytrec.catalog.catalog import Catalog
from ytrec.errors import QueryError


class LabelRelevance:
    def __init__(self, labels: list[str | None], name: str = "label") -> None:
        self.name = name
        self.labels = labels
        groups: dict[str, list[int]] = defaultdict(list)
        for row, label in enumerate(labels):
            if label is not None:
                groups[label].append(row)
        self._groups = groups

    @classmethod
    def from_catalog(cls, catalog: Catalog, column: str, source_columns: dict[str, str] | None = None) -> "LabelRelevance":
        """Labels from a catalog column (core or extra: channel, category, clickbait, ...).

        A source column that the build mapped onto a core one (``--col-channel channel_id``) is
        found under its core name, so the label can be given as the source table names it.
        """
        mapped = {source: core for core, source in (source_columns or {}).items()}
        if column not in catalog.table.column_names and column in mapped:
            return cls(catalog.column(mapped[column]), column)
        if column not in catalog.table.column_names:
            raise QueryError(
                f"the catalog has no column '{column}' to judge relevance by "
                f"(columns: {', '.join(catalog.table.column_names)})"
            )
        return cls(catalog.column(column), column)

    def relevant(self, row: int) -> set[int]:
        label = self.labels[row]
        return set() if label is None else set(self._groups[label]) - {row}

    def queries(self, sample: int | None = None, seed: int = 0) -> list[int]:
        """Judgeable rows, all of them (leave-one-out) or a seeded sample of ``sample``."""
        rows = [row for row, label in enumerate(self.labels) if label is not None and len(self._groups[label]) > 1]
        if not rows:
            raise QueryError(f"no video shares its '{self.name}' with another: nothing to evaluate")
        if sample is not None and sample < len(rows):
            rows = sorted(np.random.default_rng(seed).choice(rows, size=sample, replace=False).tolist())
        return rows

    def split(self, rows: list[int], share: float, seed: int) -> tuple[list[int], list[int]]:
        """Seeded split of ``rows`` into (first ``share``, rest), e.g. validation / held-out."""
        shuffled = np.random.default_rng(seed).permutation(rows).tolist()
        cut = max(1, min(len(rows) - 1, round(len(rows) * share)))
        return sorted(shuffled[:cut]), sorted(shuffled[cut:])
