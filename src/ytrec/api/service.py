"""What every request shares: the opened bundle's Recommender, a catalog browser and the settings.

Built once per process by ``create_app``; handlers only read it. The conversions from core
results to response models live here so the API and the pages describe videos identically.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import BinaryIO
from urllib.parse import quote


from ytrec import __version__
from ytrec.api.errors import VideoNotFound
from ytrec.api.limits import too_large
from ytrec.api.models import Health, ScoredVideo, Video
from ytrec.api.settings import Settings
from ytrec.core.browse import CatalogBrowser
from ytrec.core.recommender import Recommender
from ytrec.core.results import Recommendation

HIDDEN_COLUMNS = ("video_id", "title", "channel", "category", "published_at", "thumb")


def thumb_url(video_id: str) -> str:
    return f"/thumbs/{quote(video_id, safe='')}.jpg"


def page_url(video_id: str) -> str:
    return f"/videos/{quote(video_id, safe='')}"



@dataclass
class Service:
    recommender: Recommender
    browser: CatalogBrowser
    settings: Settings
    # Encoding new text or images runs the models, which are not documented as thread-safe (a
    # Hugging Face fast tokenizer can raise "Already borrowed" when two threads share it), so
    # encoding requests take turns. Catalog-video recommendations only read stored vectors and
    # Faiss, and run in parallel.
    model_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, recommender: Recommender, settings: Settings) -> "Service":
        service = cls(recommender, CatalogBrowser(recommender.catalog), settings)
        if settings.warm_up:
            recommender.warm_up()
        return service

    def search(self, text: str, k: int) -> list[Recommendation]:
        with self.model_lock:
            return self.recommender.search(text, k=k)

    def recommend_new(
        self, image: bytes | None, title: str | None, k: int, mode: str, weights: dict[str, float] | None
    ) -> list[Recommendation]:
        with self.model_lock:
            return self.recommender.recommend_new(image, title, k=k, mode=mode, weights=weights)


    @property
    def has_thumbnails(self) -> bool:
        return self.recommender.bundle.has_thumbnails

    def row(self, video_id: str) -> int:
        if video_id not in self.recommender.catalog:
            raise VideoNotFound(video_id)
        return self.recommender.catalog.row_of(video_id)

    def video(self, row: int) -> Video:
        record = self.recommender.catalog.record(row)
        video_id = str(record["video_id"])
        return Video(
            video_id=video_id,
            title=str(record["title"]),
            channel=record.get("channel"),
            category=record.get("category"),
            published_at=record.get("published_at"),
            thumbnail_url=thumb_url(video_id) if record.get("thumb") else None,
            page_url=page_url(video_id),
            extra={k: v for k, v in record.items() if k not in HIDDEN_COLUMNS},
        )

    def scored(self, rec: Recommendation) -> ScoredVideo:
        return ScoredVideo(
            **rec.to_dict(),
            thumbnail_url=thumb_url(rec.video_id) if self.has_thumbnails else None,
            page_url=page_url(rec.video_id),
        )

    def read_upload(self, file: BinaryIO | None) -> bytes | None:
        """The uploaded image's bytes (at most the configured limit), or None when no file was chosen."""
        if file is None:
            return None
        limit = self.settings.max_upload_bytes
        data = file.read(limit + 1)
        if len(data) > limit:
            raise too_large(limit)
        return data or None

    def health(self) -> Health:
        manifest = self.recommender.bundle.manifest
        thumbnail = manifest.get("modalities", {}).get("thumbnail")
        return Health(
            videos=len(self.recommender.catalog),
            channels=len(self.browser.channels),
            modalities=self.recommender.bundle.modalities,
            models={
                "title": manifest["text_model"]["record"].get("model"),
                "thumbnail": f"denoising autoencoder, {thumbnail['dimension']}-d latent" if thumbnail else None,
            },
            default_weights=self.recommender.default_weights,
            bundle_created=manifest.get("created"),
            ytrec_version=__version__,
        )
