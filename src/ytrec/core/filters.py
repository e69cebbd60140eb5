"""Which catalog rows a request may return: channel/category restrictions, own channel excluded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ytrec.catalog.catalog import Catalog
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

    def allowed(self, catalog: Catalog, query_rows: list[int]) -> np.ndarray | None:
        """Boolean mask of rows that may be listed, or None when every row may."""
        if not self.active:
            return None
        mask = np.ones(len(catalog), dtype=bool)
        channels = np.array(catalog.column("channel"), dtype=object)
        for column, wanted in (("channel", self.channels), ("category", self.categories)):
            if wanted:
                values = channels if column == "channel" else np.array(catalog.column(column), dtype=object)
                unknown = set(wanted) - set(values)
                if unknown:
                    raise QueryError(f"unknown {column}(s): {', '.join(sorted(unknown))}")
                mask &= np.isin(values, list(wanted))
        if self.exclude_own_channel:
            own = {channels[r] for r in query_rows} - {None}
            mask &= ~np.isin(channels, list(own))
        return mask

    def where(self, catalog: Catalog, query_rows: list[int]) -> Where | None:
        """The same restriction as ``allowed``, for stores that filter inside their search
        (Milvus expressions); None when inactive. Call ``allowed`` first: it checks the names."""
        if not self.active:
            return None
        own: tuple[str, ...] = ()
        if self.exclude_own_channel:
            channels = catalog.column("channel")
            own = tuple(sorted({channels[r] for r in query_rows} - {None}))
        return Where(channels=tuple(self.channels), categories=tuple(self.categories), excluded_channels=own)
