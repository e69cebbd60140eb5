"""What a recommendation list is made of, shared by the CLI, the API and the web page."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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

    def to_dict(self) -> dict:
        return asdict(self)
