"""What a recommendation list is made of, shared by the CLI, the API and the web page."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


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
