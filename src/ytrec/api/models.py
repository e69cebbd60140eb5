"""Request/response shapes of the REST API; these are what /docs and /openapi.json describe."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Video(BaseModel):
    video_id: str
    title: str
    channel: str | None = None
    category: str | None = None
    published_at: str | None = None
    thumbnail_url: str | None = Field(None, description="stored 320x180 JPEG; null when the bundle has none")
    page_url: str = Field(description="the video's page in the web UI")
    extra: dict[str, str | None] = Field(default_factory=dict, description="the catalog's other columns")


class VideoPage(BaseModel):
    items: list[Video]
    total: int = Field(description="videos matching the filter, on all pages")
    page: int
    per_page: int
    pages: int
    q: str | None = None
    channel: str | None = None
    seed: int | None = None


class ScoredVideo(BaseModel):
    rank: int = Field(description="1 = best")
    video_id: str
    title: str
    channel: str | None = None
    category: str | None = None
    score: float = Field(description="fused score the list is ranked by")
    thumbnail_score: float | None = Field(None, description="cosine similarity of thumbnail latents")
    title_score: float | None = Field(None, description="cosine similarity of title embeddings")
    scores: dict[str, float] = Field(default_factory=dict, description="similarity in every probed modality")
    contributions: dict[str, float] = Field(default_factory=dict, description="each modality's share of score")
    driver: str | None = Field(None, description="the modality that lifts this result most above the others")
    thumbnail_url: str | None = None
    page_url: str


class Recommendations(BaseModel):
    video: Video | None = Field(None, description="the catalog video the list is for; null for a new video")
    title: str | None = Field(None, description="the new video's title (cold start)")
    mode: str
    k: int
    weights: dict[str, float] | None = Field(None, description="weights as requested; null = the bundle's defaults")
    items: list[ScoredVideo]


class FeedbackRequest(BaseModel):
    """Several examples at once, with filters and diversity (POST /api/recommendations/feedback)."""

    liked: list[str] = Field(min_length=1, description="catalog video ids to find more of")
    disliked: list[str] = Field(default_factory=list, description="catalog video ids to steer away from")
    k: int | None = None
    mode: str = "hybrid"
    weights: dict[str, float] | None = Field(None, description="fusion weight per modality; null = the bundle's")
    like_weights: dict[str, float] | None = Field(None, description="per-modality weight of the likes (default 1)")
    dislike_weights: dict[str, float] | None = Field(None, description="per-modality weight of the dislikes")
    fusion: str | None = Field(None, description="weighted_cosine, weighted_sum or rrf; null = the bundle's")
    exclude_own_channel: bool = False
    channels: list[str] = Field(default_factory=list, description="only these channels")
    categories: list[str] = Field(default_factory=list, description="only these categories")
    mmr: float | None = Field(None, description="MMR lambda in [0, 1]; null = the bundle's setting")
    channel_cap: int | None = Field(None, description="at most this many results per channel")
    collapse: bool | None = Field(None, description="collapse near-duplicates; null = the bundle's setting")


class SearchResults(BaseModel):
    q: str
    k: int
    items: list[ScoredVideo]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    videos: int
    channels: int
    modalities: list[str]
    models: dict[str, str | None] = Field(description="title model name; thumbnail encoder shape")
    default_weights: dict[str, float]
    bundle_created: str | None = None
    ytrec_version: str


class ErrorDetail(BaseModel):
    type: str = Field(description="query_error, not_found, validation_error, payload_too_large, ...")
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
