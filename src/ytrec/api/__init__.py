"""REST API (FastAPI): app factory, routes, request/response models, error mapping."""

from ytrec.api.app import create_app
from ytrec.api.settings import Settings

__all__ = ["Settings", "create_app"]
