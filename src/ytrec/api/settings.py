"""Service settings: the few knobs of `ytrec serve` that are not the bundle itself."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart boundaries, headers and the title field around the image
# Encoding requests (uploads, new titles, free-text search) one worker lets wait for its models before
# answering 503: enough that 32 busy connections never see one, few enough that a flood is refused.
DEFAULT_ENCODE_QUEUE = 32


@dataclass(frozen=True)
class Settings:
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES  # largest accepted thumbnail upload
    default_k: int = 10  # list length when a request gives no k
    per_page: int = 24  # home page grid size
    warm_up: bool = True  # load models at startup, so no request races a lazy load
    text_model: str | None = None  # refuse a bundle built with another text model
    api_key: str | None = field(default=None, repr=False)  # enables POST/DELETE /api/videos; None: disabled
    encode_queue: int = DEFAULT_ENCODE_QUEUE  # encoding requests admitted per worker (running + waiting)
    cors_origins: tuple[str, ...] = ()  # origins allowed to call the API from a browser; empty: CORS off

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1:
            raise ValueError(f"max_upload_bytes must be positive, got {self.max_upload_bytes}")
        if self.encode_queue < 1:
            raise ValueError(f"encode_queue must be positive, got {self.encode_queue}")

    @property
    def max_body_bytes(self) -> int:
        """The most a request body may carry: one image at the limit plus the form around it."""
        return self.max_upload_bytes + FORM_OVERHEAD_BYTES
