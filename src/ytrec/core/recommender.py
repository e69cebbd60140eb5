"""The one place recommendations are computed; CLI, API and web page all call this.

Retrieval: each active modality's index returns its top ``k * oversample`` candidates; the union
is then scored exactly in *every* modality the query has (a candidate found by its thumbnail
still gets its real title similarity), fused (``fusion/``), filtered (``core/filters``) and
diversified (``fusion/diversity``). A query is a set of *probes* per modality (see
``core/feedback``): one row for "more like this", an encoded title/image for a new video, several
weighted rows for liked/disliked examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ytrec.artifact.bundle import Bundle
from ytrec.catalog.images import THUMB_HEIGHT, THUMB_WIDTH, ThumbnailError, normalize, open_thumbnail
from ytrec.core.feedback import Probe, feedback_probes
from ytrec.core.filters import Filters
from ytrec.core.query import active_modalities, check_k, check_weights
from ytrec.core.results import Recommendation, ResultColumns, recommendations
from ytrec.encoders.title import TextModelConfig, TitleEmbedder, check_same_model
from ytrec.encoders.title.adapt import resolve_bundle_model
from ytrec.errors import QueryError
from ytrec.fusion.base import FusionStrategy
from ytrec.fusion.diversity import Diversity
from ytrec.fusion.expansion import Neighbours, expand
from ytrec.fusion.pairwise import Pairwise, submatrix
from ytrec.fusion.registry import get_fusion
from ytrec.index.base import SearchParams, Where
from ytrec.signals import SIGNALS, signals_for_source
from ytrec.signals.calibration import Calibration, scaled_weights

DEFAULT_OVERSAMPLE = 4
# when duplicates or the channel cap leave fewer than k, the pool is searched 4x deeper, at most this
# many times (a catalog of few channels cannot fill a capped list, however deep the search)
MAX_DEEPENING = 2
MAX_TITLE_CHARS = 500


@dataclass
class Pool:
    """Candidate rows (ascending) and each probed modality's exact score for them."""

    rows: np.ndarray
    scores: dict[str, np.ndarray]
    complete: bool = True  # every candidate the searches can give: a deeper pool would add none
    # per signal, the weight factor of this query (the share of its title the title model reads)
    scale: dict[str, float] = field(default_factory=dict)


class Recommender:
    def __init__(self, bundle: Bundle, text_model: str | None = None) -> None:
        self.bundle = bundle
        self.catalog = bundle.catalog
        recorded = bundle.manifest["text_model"]
        # an adapted title model lives inside the bundle (build --adapt-titles)
        self._text_config = resolve_bundle_model(TextModelConfig.from_dict(recorded["config"]), bundle.root)
        if text_model is not None:
            # another copy of the same model (e.g. a local folder) is fine; another model is refused
            self._text_config = self._text_config.with_model(text_model)
            check_same_model(recorded["record"], self._text_config)
        fusion = bundle.manifest["fusion"]
        self.fusion = get_fusion(fusion["method"])
        self.default_weights: dict[str, float] = dict(fusion["weights"])
        self.oversample = int(fusion.get("oversample", DEFAULT_OVERSAMPLE))
        self.diversity = Diversity.from_dict(fusion.get("diversity"))
        self.expansion = int(fusion.get("expansion", 0))  # pool query expansion rows (fusion/expansion.py)
        # hub discounts and title coverage (signals/calibration.py); none in bundles built before them
        self.calibration = Calibration.load(bundle.root, bundle.manifest.get("files", {}), len(self.catalog))
        # the columns a result shows, prepared now: the first request should not pay for them
        self.columns = ResultColumns(self.catalog)
        self._modes: dict[str, list[str]] = {}  # mode -> its modalities in this bundle
        self._defaults: dict[tuple[str, ...], dict[str, float]] = {}  # modalities -> default weights

    @classmethod
    def open(cls, path: Path, text_model: str | None = None) -> "Recommender":
        return cls(Bundle.load(path), text_model=text_model)

    @cached_property
    def title_embedder(self) -> TitleEmbedder:
        return TitleEmbedder(self._text_config)

    @cached_property
    def thumbnail_encoder(self):
        from ytrec.encoders.thumbnail import ThumbnailEncoder

        return ThumbnailEncoder.load(self.bundle.root)

    # -- queries -------------------------------------------------------------------------

    def similar(
        self,
        video_id: str,
        k: int = 10,
        mode: str = "hybrid",
        weights: dict[str, float] | None = None,
        *,
        fusion: str | None = None,
        filters: Filters | None = None,
        diversity: Diversity | None = None,
        search: SearchParams | None = None,
    ) -> list[Recommendation]:
        """Videos like a catalog video, the video itself (and, with collapse, its copies) excluded.

        ``search``: per-query index knobs (HNSW ef_search, IVF nprobe, re-ranking depth)."""
        return self.similar_row(self.catalog.row_of(video_id), k, mode, weights, fusion=fusion, filters=filters,
                                diversity=diversity, search=search)

    def similar_row(
        self,
        row: int,
        k: int = 10,
        mode: str = "hybrid",
        weights: dict[str, float] | None = None,
        *,
        fusion: str | None = None,
        filters: Filters | None = None,
        diversity: Diversity | None = None,
        search: SearchParams | None = None,
    ) -> list[Recommendation]:
        """``similar`` for a catalog row already looked up (``catalog.row_of``): a server that
        resolves the id for its response's video record need not resolve it twice."""
        n = len(self.catalog)
        if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not 0 <= row < n:
            raise QueryError(f"row {row!r} is not in the catalog (0..{n - 1})")
        row = int(row)
        check_k(k, n - 1)
        modalities = self.modalities_of(mode)
        probes = {m: [(store.row_query(row), 1.0)] for m, store in self.bundle.stores.items()}
        return self._rank(probes, modalities, k, weights, [row], fusion, filters, diversity, copies_of_query=True,
                          search=search, scale=self.calibration.scale_of_rows([row]))

    def feedback(
        self,
        liked: Sequence[str],
        disliked: Sequence[str] = (),
        k: int = 10,
        mode: str = "hybrid",
        weights: dict[str, float] | None = None,
        *,
        like_weights: dict[str, float] | None = None,
        dislike_weights: dict[str, float] | None = None,
        fusion: str | None = None,
        filters: Filters | None = None,
        diversity: Diversity | None = None,
        search: SearchParams | None = None,
    ) -> list[Recommendation]:
        """Videos like the liked ones and unlike the disliked ones (all excluded from the list)."""
        liked_rows = [self.catalog.row_of(v) for v in dict.fromkeys(liked)]
        disliked_rows = [self.catalog.row_of(v) for v in dict.fromkeys(disliked)]
        examples = sorted(set(liked_rows) | set(disliked_rows))
        check_k(k, len(self.catalog) - len(examples))
        modalities = self.modalities_of(mode)
        probes = feedback_probes(
            self.bundle.stores, modalities, liked_rows, disliked_rows, like_weights, dislike_weights
        )
        modalities = [m for m in modalities if m in probes]
        return self._rank(probes, modalities, k, weights, examples, fusion, filters, diversity, search=search,
                          scale=self.calibration.scale_of_rows(liked_rows))

    def recommend_new(
        self,
        image: Path | bytes | Image.Image | None,
        title: str | None,
        k: int = 10,
        mode: str = "hybrid",
        weights: dict[str, float] | None = None,
        *,
        fusion: str | None = None,
        filters: Filters | None = None,
        diversity: Diversity | None = None,
        search: SearchParams | None = None,
    ) -> list[Recommendation]:
        """Cold start: a video that is not in the catalog, given as a thumbnail and a title."""
        check_k(k, len(self.catalog))
        modalities = self.modalities_of(mode)
        queries: dict[str, Any] = {}
        scale: dict[str, float] = {}
        if title is not None and title.strip():
            queries.update(self.title_queries(title, passage=True))
            scale = self.text_scale(title)
        if image is not None:
            queries.update(self.thumbnail_queries(image))
        missing = [m for m in modalities if m not in queries]
        if missing:
            needs = sorted({SIGNALS[m].source if m in SIGNALS else m for m in missing})
            raise QueryError(f"a new video needs {' and '.join(needs)} for mode '{mode}'")
        probes = {m: [(q, 1.0)] for m, q in queries.items()}
        return self._rank(probes, modalities, k, weights, [], fusion, filters, diversity, search=search, scale=scale)

    def search(
        self, text: str, k: int = 10, *, fusion: str | None = None, filters: Filters | None = None
    ) -> list[Recommendation]:
        """Free-text search over every title signal (e5 ``query:`` prefix for the dense one)."""
        text = (text or "").strip()
        if not text:
            raise QueryError("the search text is empty")
        if len(text) > MAX_TITLE_CHARS:
            raise QueryError(f"the search text is {len(text)} characters; the limit is {MAX_TITLE_CHARS}")
        check_k(k, len(self.catalog))
        probes = {m: [(q, 1.0)] for m, q in self.title_queries(text, passage=False).items()}
        return self._rank(probes, list(probes), k, None, [], fusion, filters, Diversity(collapse_duplicates=False),
                          scale=self.text_scale(text))

    # -- encoding of new inputs --------------------------------------------------------

    def title_queries(self, text: str, passage: bool) -> dict[str, Any]:
        """The query of every title signal the bundle has (dense embedding, lexical terms)."""
        text = " ".join(text.split())
        if len(text) > MAX_TITLE_CHARS:
            raise QueryError(f"the title is {len(text)} characters; the limit is {MAX_TITLE_CHARS}")
        purpose = "passage" if passage else "query"
        stores = self.bundle.stores
        return {s.name: s.encode_query(text, stores[s.name], self, purpose)
                for s in signals_for_source("title") if s.name in stores}

    def text_scale(self, text: str) -> dict[str, float]:
        """Per token-reading title signal, the share of ``text`` its model reads (its weight factor)."""
        text = " ".join(text.split())
        return {m: float(SIGNALS[m].coverage([text], self)[0]) for m in self.calibration.coverage}

    def thumbnail_queries(self, image: Path | bytes | Image.Image) -> dict[str, Any]:
        """The query of every thumbnail signal the bundle has (autoencoder latent, copy code)."""
        stores = self.bundle.stores
        signals = [s for s in signals_for_source("thumbnail") if s.name in stores]
        if not signals:
            return {}
        normalized = self.normalize_image(image)
        return {s.name: s.encode_query(normalized, stores[s.name], self) for s in signals}

    def normalize_image(self, image: Path | bytes | Image.Image) -> Image.Image:
        try:
            return normalize(image) if isinstance(image, Image.Image) else open_thumbnail(image)
        except ThumbnailError as exc:
            raise QueryError(f"thumbnail rejected: {exc}") from None

    def warm_up(self) -> None:
        """Load the models and run each once now: they load lazily, and not thread-safely, on
        first use, so a server does this before its first request."""
        self.title_queries("warm-up", passage=True)
        if self.bundle.has_thumbnails:
            self.thumbnail_encoder.encode_pil([Image.new("RGB", (THUMB_WIDTH, THUMB_HEIGHT))])

    # -- ranking -------------------------------------------------------------------------

    def modalities_of(self, mode: str) -> list[str]:
        """The modalities that score ``mode`` in this bundle (checked once per mode)."""
        if mode not in self._modes:
            self._modes[mode] = active_modalities(mode, self.bundle.modalities)
        return list(self._modes[mode])

    def resolve_weights(self, weights: dict[str, float] | None, modalities: list[str]) -> dict[str, float]:
        """Given weights, else the bundle's; a mode whose signals all default to 0 (thumbnail_copy)
        weighs them equally instead of refusing."""
        if weights is not None:
            return check_weights(weights, modalities, self.bundle.modalities)
        key = tuple(modalities)
        if key not in self._defaults:
            weights = {m: self.default_weights.get(m, 1.0) for m in modalities}
            if not any(weights.values()):
                weights = dict.fromkeys(modalities, 1.0)
            self._defaults[key] = check_weights(weights, modalities, self.bundle.modalities)
        return dict(self._defaults[key])

    def pool(
        self,
        probes: dict[str, Probe],
        modalities: list[str],
        need: int,
        exclude: list[int],
        allowed: np.ndarray | None = None,
        search: SearchParams | None = None,
        where: Where | None = None,
        query_scale: dict[str, float] | None = None,
    ) -> Pool:
        """At least ``need`` candidates (when that many exist): each active modality's top hits
        for its positive probes, minus ``exclude``, within ``allowed``; searched deeper when a
        filter leaves too few. Stores that filter inside their search (``search_filtered``) get
        ``where`` and need no extra depth; with local stores, a filter that leaves fewer rows than a
        search would have to return (at most ~sqrt(need x catalog) rows) has those rows scored
        directly. One search per positive probe, one similarity call per probe over the whole pool:
        the stores do the per-candidate work. ``query_scale``: the query's weight factors (``Pool.scale``)."""
        n = len(self.catalog)
        excluded = np.unique(np.asarray(exclude, dtype=np.int64))
        if allowed is None:
            available = n - len(excluded)
        else:
            keep = allowed.copy()
            keep[excluded] = False
            available = int(keep.sum())
        base = need + len(excluded)
        inflated = math.ceil(base * n / available) if allowed is not None and available else base
        stores = self.bundle.stores
        if allowed is not None and inflated >= available and not any(
                hasattr(stores[m], "search_filtered") for m in modalities):
            # a search would have to return more rows than the filter allows (a channel of 200 in a
            # million: 200,000 deep): scoring the allowed rows themselves is exact and cheaper
            rows = np.flatnonzero(keep)
            return Pool(rows, {m: self._probe_scores(m, probe, rows) for m, probe in probes.items()}, True,
                        dict(query_scale or {}))
        scale = 1
        while True:
            depth, pushed_depth = min(inflated * scale, n), min(base * scale, n)
            found = [self._search(m, query, depth, pushed_depth, search, where) for m in modalities
                     for query, coef in probes.get(m, []) if coef > 0]
            # a search that returned fewer rows than asked (-1 padded) returned all it can find
            # (copy codes: only rows sharing a chunk; words: only rows sharing a term)
            deeper = any(len(rows) and rows[-1] >= 0 for rows in found)
            rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
            if len(rows) and rows[0] < 0:  # at most one -1 after unique
                rows = rows[1:]
            rows = rows[keep[rows]] if allowed is not None else without(rows, excluded)
            complete = depth >= n or not deeper
            if len(rows) >= min(need, available) or complete:
                break
            scale *= 4
        scores = {m: self._probe_scores(m, probe, rows) for m, probe in probes.items()}
        return Pool(rows, scores, complete, dict(query_scale or {}))

    def _search(
        self, modality: str, query: Any, depth: int, pushed_depth: int, search: SearchParams | None, where: Where | None
    ) -> np.ndarray:
        store = self.bundle.stores[modality]
        if where is not None and hasattr(store, "search_filtered"):
            _, rows = store.search_filtered(query, pushed_depth, where, search)
        else:
            # knobs only when set: a store may implement search(queries, k) alone
            _, rows = store.search(query, depth) if search is None else store.search(query, depth, search)
        return np.asarray(rows[0], dtype=np.int64)

    def _probe_scores(self, modality: str, probe: Probe, rows: np.ndarray) -> np.ndarray:
        store = self.bundle.stores[modality]
        (query, coef), *others = probe
        total = np.asarray(store.similarity(query, rows), dtype=np.float32)
        if coef != 1.0 or others:
            total = np.float32(coef) * total
            for query, coef in others:
                total += np.float32(coef) * np.asarray(store.similarity(query, rows), dtype=np.float32)
        return total

    def _rank(
        self,
        probes: dict[str, Probe],
        modalities: list[str],
        k: int,
        weights: dict[str, float] | None,
        query_rows: list[int],
        fusion: str | None,
        filters: Filters | None,
        diversity: Diversity | None,
        copies_of_query: bool = False,
        search: SearchParams | None = None,
        scale: dict[str, float] | None = None,
    ) -> list[Recommendation]:
        weights = self.resolve_weights(weights, modalities)
        strategy = get_fusion(fusion) if fusion is not None else self.fusion
        diversity = diversity if diversity is not None else self.diversity
        allowed = where = None
        if filters is not None:
            allowed = filters.allowed(self.columns, query_rows)
            where = filters.where(self.columns, query_rows)
        searched = candidate_sources([m for m in modalities if weights[m] > 0])  # weight 0: finds none
        need = k * self.oversample
        for _ in range(MAX_DEEPENING + 1):
            pool = self.pool(probes, searched, need, query_rows, allowed, search, where, scale)
            if pool.rows.size == 0:
                return []
            listed = self.rank_pool(pool, modalities, k, weights, strategy, diversity, copies_of_query)
            if len(listed) >= k or pool.complete:
                break
            need *= 4  # duplicates or the channel cap left too few of this pool
        return listed

    def rank_pool(
        self,
        pool: Pool,
        modalities: list[str],
        k: int,
        weights: dict[str, float],
        strategy: FusionStrategy,
        diversity: Diversity,
        copies_of_query: bool = False,
    ) -> list[Recommendation]:
        """Fuse, diversify and describe a candidate pool."""
        pairwise = self.pairwise_blocks(pool.rows, diversity, modalities)
        order, fused, parts = self.order_pool(pool, modalities, k, weights, strategy, diversity, pairwise, copies_of_query,
                                              self.pool_neighbours(pool.rows))
        listed = np.asarray(order, dtype=np.int64)
        return recommendations(
            self.columns,
            pool.rows[listed],
            fused[listed],
            {m: s[listed] for m, s in pool.scores.items()},
            {m: c[listed] for m, c in parts.items()},
            drivers(parts, listed),
        )

    def order_pool(
        self,
        pool: Pool,
        modalities: list[str],
        k: int,
        weights: dict[str, float],
        strategy: FusionStrategy,
        diversity: Diversity,
        pairwise: Pairwise | dict[str, np.ndarray],
        copies_of_query: bool = False,
        neighbours: Neighbours | None = None,
    ) -> tuple[list[int], np.ndarray, dict[str, np.ndarray]]:
        """(pool indices in list order, fused scores, contributions); tuning calls this on cached
        pools and pairwise similarities, so what it measures is exactly what is served.
        ``neighbours``: pool-to-pool similarities for query expansion (none: no expansion).
        Fusion sees the scores less each candidate's hub discount, weighted by the query's scale
        (signals/calibration.py); duplicates are found on the raw scores."""
        weights = scaled_weights(weights, pool.scale)
        scores = self.calibration.discounted({m: pool.scores[m] for m in modalities}, pool.rows)
        parts = strategy.contributions(scores, weights)
        drop = None
        if copies_of_query and diversity.collapse_duplicates:
            drop = np.zeros(len(pool.rows), dtype=bool)
            for m, threshold in diversity.duplicate_thresholds.items():
                if m in pool.scores:
                    drop |= pool.scores[m] >= threshold
        if neighbours is not None and self.expansion:
            neighbours = self.calibration.discounted_neighbours(neighbours, pool.rows)
            parts = expand(parts, weights, strategy, neighbours, self.expansion, drop)
        fused = np.asarray(sum(parts.values()), dtype=np.float32)
        channels = self.columns.channel.codes[pool.rows] if diversity.channel_cap is not None else []
        return diversity.apply(fused, pairwise, weights, channels, k, drop), fused, parts

    def _pairwise_modalities(self, diversity: Diversity, modalities: list[str]) -> list[str]:
        """The scoring modalities (for MMR) and every modality with a duplicate threshold (a
        duplicate is one whatever the mode)."""
        wanted = set(modalities) if diversity.mmr_lambda is not None else set()
        if diversity.collapse_duplicates:
            wanted |= set(diversity.duplicate_thresholds) & set(self.bundle.stores)
        return sorted(wanted)

    def pairwise(self, rows: np.ndarray, diversity: Diversity, modalities: list[str]) -> dict[str, np.ndarray]:
        """Candidate-to-candidate similarities among all of ``rows`` (tuning caches these)."""
        if not diversity.needs_pairwise:
            return {}
        return {m: self.bundle.stores[m].pairwise(rows) for m in self._pairwise_modalities(diversity, modalities)}

    def pairwise_blocks(self, rows: np.ndarray, diversity: Diversity, modalities: list[str]) -> Pairwise:
        """The same similarities, asked of the stores only for the candidates diversity looks at
        (duplicate collapse: about the first 2k of the list)."""
        wanted = self._pairwise_modalities(diversity, modalities) if diversity.needs_pairwise else []
        stores = self.bundle.stores

        def block(modality: str, idx: np.ndarray) -> np.ndarray:
            similarity = stores[modality].pairwise_rows(rows[idx])
            if getattr(similarity, "ndim", None) == 2:  # the whole block already
                return np.asarray(similarity)
            return submatrix(similarity, np.arange(len(idx)))

        return Pairwise(wanted, block)

    def pool_neighbours(self, rows: np.ndarray) -> Neighbours:
        """Similarities of chosen pool candidates to the whole pool, asked of the stores (expansion)."""
        stores = self.bundle.stores

        def neighbours(idx: np.ndarray, modalities: list[str]) -> dict[str, np.ndarray]:
            return {m: stores[m].rows_similarity(rows[idx], rows) for m in modalities}

        return neighbours


def candidate_sources(modalities: list[str]) -> list[str]:
    """The signals whose searches fill a pool: a copy code's tables find copies, which the other
    signals find too, so it scores their pool and searches only when it is alone."""
    return [m for m in modalities if m not in SIGNALS or SIGNALS[m].finds_similar] or list(modalities)


def without(rows: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Ascending unique ``rows`` minus ascending unique ``excluded`` (a binary search per
    excluded row, not a membership test per candidate)."""
    at = np.searchsorted(rows, excluded)
    inside = at < len(rows)
    hit = at[inside][rows[at[inside]] == excluded[inside]]
    if not len(hit):
        return rows
    keep = np.ones(len(rows), dtype=bool)
    keep[hit] = False
    return rows[keep]


def drivers(parts: dict[str, np.ndarray], listed: np.ndarray) -> list[str | None]:
    """Per listed candidate, the signal that lifts it most above the candidates' average, not the
    largest share: a modality that rates every candidate alike explains no choice."""
    if not parts:
        return [None] * len(listed)
    names = list(parts)
    stacked = np.stack([np.asarray(c) for c in parts.values()])
    lift = stacked - stacked.mean(axis=1, keepdims=True)
    return [names[j] for j in lift[:, listed].argmax(axis=0).tolist()]
