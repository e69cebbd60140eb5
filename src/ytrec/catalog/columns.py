"""Which table column holds which catalog field (mappable from the CLI with --col-* flags)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

OPTIONAL_FIELDS = ("channel", "category", "published_at")


@dataclass(frozen=True)
class ColumnMap:
    video_id: str = "video_id"
    title: str = "title"
    thumbnail: str = "thumbnail"
    channel: str = "channel"
    category: str = "category"
    published_at: str = "published_at"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "ColumnMap":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def mapped(self) -> set[str]:
        """Source column names consumed by a known field; every other column is kept as an extra."""
        return set(asdict(self).values())
