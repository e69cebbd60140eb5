"""The app factory behind `ytrec serve`: one opened bundle per worker, shared read-only by every
request, replaced whole when the bundle changes on disk (``api.live``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ytrec import __version__
from ytrec.api.admin import admin
from ytrec.api.docs import mount_docs
from ytrec.api.errors import install_error_handlers
from ytrec.api.fast import FastReads
from ytrec.api.limits import BodyLimit
from ytrec.api.live import LiveService
from ytrec.api.routes import api, media
from ytrec.api.service import Service
from ytrec.api.settings import Settings
from ytrec.artifact.bundle import Bundle
from ytrec.artifact.manifest import FileIdentity
from ytrec.core.recommender import Recommender
from ytrec.web import pages


def create_app(
    recommender_or_bundle_path: Recommender | str | Path,
    settings: Settings | None = None,
    checked: Mapping[FileIdentity, str] | None = None,
) -> FastAPI:
    """The API plus the web pages. Opening the bundle and loading the models happen here, before
    the first request, so a broken bundle fails at startup and no request waits on a model load.
    ``checked``: bundle files already verified (``Bundle.verified`` of the same bundle)."""
    settings = settings or Settings()
    if isinstance(recommender_or_bundle_path, Recommender):
        recommender = recommender_or_bundle_path
    else:
        bundle = Bundle.load(Path(recommender_or_bundle_path), checked=checked)
        recommender = Recommender(bundle, text_model=settings.text_model)
    app = FastAPI(
        title="ytrec",
        version=__version__,
        description="Hybrid content-based video recommendations from thumbnails and titles.",
        docs_url=None,
        redoc_url=None,
    )
    mount_docs(app)
    live = app.state.live = LiveService(Service.start(recommender, settings))
    app.state.api_key = settings.api_key
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    # the hot reads skip the router (added after BodyLimit: outside it, inside CORS)
    app.add_middleware(FastReads, current=live.current)
    if settings.cors_origins:  # off unless asked for: a browser page elsewhere cannot call the API
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Content-Type", "X-API-Key", "Authorization"])
    install_error_handlers(app, html=pages.render_error)
    app.include_router(api)
    app.include_router(admin)
    app.include_router(media)
    pages.mount(app)
    return app
