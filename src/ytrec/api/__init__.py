"""REST API (FastAPI): routes, request/response models, the per-worker service, error mapping.

``ytrec.server`` composes it with the web pages into the application `ytrec serve` runs."""

from ytrec.api.settings import Settings

__all__ = ["Settings"]
