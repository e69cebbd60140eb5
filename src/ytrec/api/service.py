"""What every request shares: the opened bundle's Recommender, a catalog browser, the settings, the
encoding pool, and everything about the bundle that answers need and that does not change per request.

One Service per bundle generation: a reload (after a write through any worker) builds a new one
and swaps it in whole, so a request holds one consistent view from start to end. The response
bodies are plain dicts for orjson; their shapes are the pydantic models in ``api.models`` (what
/docs describes), and the API and the pages describe videos identically.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, BinaryIO
from urllib.parse import quote

from fastapi import UploadFile

from ytrec import __version__
from ytrec.api.encoding import EncodingPool
from ytrec.api.errors import VideoNotFound
from ytrec.api.limits import too_large
from ytrec.api.settings import Settings
from ytrec.catalog.catalog import Catalog
from ytrec.core.browse import CatalogBrowser
from ytrec.core.query import weights_from_flags
from ytrec.core.recommender import Recommender
from ytrec.core.results import Recommendation
from ytrec.errors import QueryError
from ytrec.index.base import SearchParams

HIDDEN_COLUMNS = ("video_id", "title", "channel", "category", "published_at", "thumb")
# Catalogs up to this size have every video's response fields built at load (~1 KB a video); larger
# ones build a video's fields on its first request and keep them.
EAGER_RECORDS = 100_000


# every recommendation list names ten videos: quoting their ids was half of building a list
@lru_cache(maxsize=1 << 16)
def thumb_url(video_id: str) -> str:
    return f"/thumbs/{quote(video_id, safe='')}.jpg"


@lru_cache(maxsize=1 << 16)
def page_url(video_id: str) -> str:
    return f"/videos/{quote(video_id, safe='')}"


class VideoRecords:
    """Each catalog video as the API shows it (``api.models.Video``), built once per row."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._built: dict[int, dict[str, Any]] = {}
        if len(catalog) <= EAGER_RECORDS:
            columns = {name: catalog.table.column(name).to_pylist() for name in catalog.table.column_names}
            for row in range(len(catalog)):
                self._built[row] = self._describe({name: values[row] for name, values in columns.items()})

    def __getitem__(self, row: int) -> dict[str, Any]:
        video = self._built.get(row)
        if video is None:
            video = self._built[row] = self._describe(self._catalog.record(row))
        return video

    @staticmethod
    def _describe(record: dict[str, str | None]) -> dict[str, Any]:
        video_id = str(record["video_id"])
        return {
            "video_id": video_id,
            "title": str(record["title"]),
            "channel": record.get("channel"),
            "category": record.get("category"),
            "published_at": record.get("published_at"),
            "thumbnail_url": thumb_url(video_id) if record.get("thumb") else None,
            "page_url": page_url(video_id),
            "extra": {k: v for k, v in record.items() if k not in HIDDEN_COLUMNS},
        }


@dataclass
class Service:
    recommender: Recommender
    settings: Settings
    # shared by every generation of one worker: the models it runs stay the same objects
    encoding: EncodingPool
    browser: CatalogBrowser = field(init=False)
    records: VideoRecords = field(init=False)
    health: dict[str, Any] = field(init=False)

    has_thumbnails: bool = field(init=False)

    def __post_init__(self) -> None:
        self.has_thumbnails = self.recommender.bundle.has_thumbnails
        self.browser = CatalogBrowser(self.recommender.catalog)
        self.records = VideoRecords(self.recommender.catalog)
        self.health = self._health()

    @classmethod
    def start(cls, recommender: Recommender, settings: Settings, encoding: EncodingPool | None = None) -> "Service":
        service = cls(recommender, settings, encoding or EncodingPool(settings.encode_queue))
        if settings.warm_up:
            service.encoding.run_blocking(recommender.warm_up)
        return service

    # -- model work: on the encoding pool ---------------------------------------------

    async def search(self, text: str, k: int) -> list[Recommendation]:
        return await self.encoding.run(lambda: self.recommender.search(text, k=k))

    async def recommend_new(
        self, image: bytes | None, title: str | None, k: int, mode: str, weights: dict[str, float] | None
    ) -> list[Recommendation]:
        return await self.encoding.run(
            lambda: self.recommender.recommend_new(image, title, k=k, mode=mode, weights=weights))

    # -- response bodies: the plain reads (answered by the routes and by ``api.fast``) -----

    def recommendations_body(
        self,
        video_id: str,
        k: int | None = None,
        mode: str = "hybrid",
        w_thumbnail: float | None = None,
        w_title: float | None = None,
        w_lexical: float | None = None,
        w_copy: float | None = None,
        ef_search: int | None = None,
        nprobe: int | None = None,
        rerank: int | None = None,
    ) -> dict[str, Any]:
        """``api.models.Recommendations`` for a catalog video."""
        row = self.row(video_id)  # the request's one id lookup
        k = self.settings.default_k if k is None else k
        weights = weights_from_flags({"thumbnail": w_thumbnail, "copy": w_copy, "title": w_title, "lexical": w_lexical})
        knobs = {"ef_search": ef_search, "nprobe": nprobe, "rerank": rerank}
        search = SearchParams(**knobs) if any(v is not None for v in knobs.values()) else None
        results = self.recommender.similar_row(row, k=k, mode=mode, weights=weights, search=search)
        return {"video": self.video(row), "title": None, "mode": mode, "k": k, "weights": weights,
                "items": [self.scored(r) for r in results]}

    def browse_body(
        self,
        q: str | None = None,
        channel: str | None = None,
        page: int = 1,
        per_page: int = 24,
        seed: int | None = None,
    ) -> dict[str, Any]:
        """``api.models.VideoPage``."""
        result = self.browser.browse(q=q, channel=channel, page=page, per_page=per_page, seed=seed)
        return {
            "items": [self.video(row) for row in result.rows],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
            "q": q,
            "channel": channel,
            "seed": seed,
        }

    def video_body(self, video_id: str) -> dict[str, Any]:
        """``api.models.Video``."""
        return self.video(self.row(video_id))

    # -- response parts ----------------------------------------------------------------

    def row(self, video_id: str) -> int:
        try:
            return self.recommender.catalog.row_of(video_id)
        except QueryError:
            raise VideoNotFound(video_id) from None

    def video(self, row: int) -> dict[str, Any]:
        return self.records[row]

    def scored(self, rec: Recommendation) -> dict[str, Any]:
        """One ``api.models.ScoredVideo``."""
        return {
            "rank": rec.rank,
            "video_id": rec.video_id,
            "title": rec.title,
            "channel": rec.channel,
            "category": rec.category,
            "score": rec.score,
            "thumbnail_score": rec.thumbnail_score,
            "title_score": rec.title_score,
            "scores": rec.scores,
            "contributions": rec.contributions,
            "driver": rec.driver,
            "thumbnail_url": thumb_url(rec.video_id) if self.has_thumbnails else None,
            "page_url": page_url(rec.video_id),
        }

    def read_upload(self, file: BinaryIO | None) -> bytes | None:
        """The uploaded image's bytes (at most the configured limit), or None when no file was chosen."""
        if file is None:
            return None
        return self._within_limit(file.read(self.settings.max_upload_bytes + 1))

    async def receive_upload(self, upload: UploadFile | None) -> bytes | None:
        """``read_upload`` from the event loop (a spooled upload may have rolled over to disk)."""
        if upload is None:
            return None
        return self._within_limit(await upload.read(self.settings.max_upload_bytes + 1))

    def _within_limit(self, data: bytes) -> bytes | None:
        limit = self.settings.max_upload_bytes
        if len(data) > limit:
            raise too_large(limit)
        return data or None

    def _health(self) -> dict[str, Any]:
        """``api.models.Health``: depends only on the bundle, so built once."""
        manifest = self.recommender.bundle.manifest
        thumbnail = manifest.get("modalities", {}).get("thumbnail")
        return {
            "status": "ok",
            "videos": len(self.recommender.catalog),
            "channels": len(self.browser.channels),
            "modalities": self.recommender.bundle.modalities,
            "models": {
                "title": manifest["text_model"]["record"].get("model"),
                "thumbnail": f"denoising autoencoder, {thumbnail['dimension']}-d latent" if thumbnail else None,
            },
            "default_weights": self.recommender.default_weights,
            "bundle_created": manifest.get("created"),
            "ytrec_version": __version__,
            "worker": os.getpid(),
        }
