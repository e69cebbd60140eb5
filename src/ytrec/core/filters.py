"""Which catalog rows a request may return: channel/category restrictions, own channel excluded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ytrec.core.results import ResultColumns
from ytrec.errors import QueryError
from ytrec.index.base import Where


@dataclass(frozen=True)
class Filters:
    channels: tuple[str, ...] = ()  # only these channels (empty: any)
    categories: tuple[str, ...] = ()  # only these categories (empty: any)
    exclude_own_channel: bool = False  # leave out the query videos' channels

    @property
    def active(self) -> bool:
        return bool(self.channels or self.categories or self.exclude_own_channel)

    def allowed(self, columns: ResultColumns, query_rows: list[int]) -> np.ndarray | None:
        """Boolean mask of rows that may be listed, or None when every row may. Compares the
        columns' integer codes (read once per Recommender): a filtered query at a million videos
        costs a few milliseconds, not a pass over a million Python strings."""
        if not self.active:
            return None
        mask = np.ones(len(columns.channel.codes), dtype=bool)
        for name, column, wanted in (("channel", columns.channel, self.channels),
                                     ("category", columns.category, self.categories)):
            if wanted:
                unknown = set(wanted) - set(column.code_of)
                if unknown:
                    raise QueryError(f"unknown {name}(s): {', '.join(sorted(unknown))}")
                mask &= np.isin(column.codes, [column.code_of[value] for value in wanted])
        if self.exclude_own_channel:
            own = {int(columns.channel.codes[r]) for r in query_rows} - {-1}
            if own:
                mask &= ~np.isin(columns.channel.codes, sorted(own))
        return mask

    def where(self, columns: ResultColumns, query_rows: list[int]) -> Where | None:
        """The same restriction as ``allowed``, for stores that filter inside their search
        (Milvus expressions); None when inactive. Call ``allowed`` first: it checks the names."""
        if not self.active:
            return None
        own: tuple[str, ...] = ()
        if self.exclude_own_channel:
            own = tuple(sorted({columns.channel[r] for r in query_rows} - {None}))
        return Where(channels=tuple(self.channels), categories=tuple(self.categories), excluded_channels=own)
