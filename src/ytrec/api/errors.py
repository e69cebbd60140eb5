"""Every error a client can cause becomes a 4xx body ``{"error": {"type", "message"}}``.

One table maps ytrec's error types to HTTP statuses; FastAPI's own validation errors and
Starlette's HTTP errors (404 route, 405, 413) get the same body. Pages get the same status and
message rendered as HTML (the web package registers the renderer). Anything unexpected is
logged with its traceback and answered with a bare 500 body, never the traceback itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ytrec.errors import (
    ArtifactError,
    CatalogError,
    ModelUnavailableError,
    QueryError,
    StoreUnavailableError,
    YtrecError,
)

log = logging.getLogger("ytrec.api")

HtmlRenderer = Callable[[Request, int, str, str], Response]

# Paths whose errors are always JSON; every other path is a page and gets HTML when a renderer is set.
JSON_PREFIXES = ("/api/", "/healthz", "/thumbs/", "/static/", "/docs", "/redoc", "/openapi.json")


class VideoNotFound(QueryError):
    """An id that is not in the catalog: a 404 rather than a 400."""

    def __init__(self, video_id: str) -> None:
        super().__init__(f"unknown video id '{video_id}'")


class ServerBusy(YtrecError):
    """This worker already has as many encoding requests as it admits: 503 with ``Retry-After``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_YTREC_STATUS: list[tuple[type[YtrecError], int, str]] = [
    (VideoNotFound, 404, "not_found"),
    (QueryError, 400, "query_error"),
    (CatalogError, 400, "catalog_error"),
    (ServerBusy, 503, "busy"),
    (StoreUnavailableError, 503, "store_unavailable"),
    (ModelUnavailableError, 503, "model_unavailable"),
    (ArtifactError, 503, "artifact_error"),
]

_HTTP_TYPES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}

_ROUTING_DEFAULTS = ("Not Found", "Method Not Allowed")  # Starlette's texts for an unknown route

_LOCATIONS = {"query": "query parameter", "path": "path parameter", "body": "body field", "header": "header"}


def describe(exc: Exception) -> tuple[int, str, str]:
    """(status, type, message) for any exception a request can end in."""
    if isinstance(exc, YtrecError):
        for cls, status, kind in _YTREC_STATUS:
            if isinstance(exc, cls):
                return status, kind, _one_line(str(exc))
        return 400, "error", _one_line(str(exc))
    if isinstance(exc, RequestValidationError):
        return 422, "validation_error", validation_message(exc)
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, _HTTP_TYPES.get(exc.status_code, "http_error"), str(exc.detail)
    return 500, "internal_error", "internal server error; the server log has the details"


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's error list as one sentence: ``query parameter 'k': Input should be a valid integer``."""
    parts = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = _LOCATIONS.get(loc[0], loc[0]) if loc else "request"
        name = ".".join(loc[1:])
        parts.append(f"{where} '{name}': {error.get('msg', 'invalid')}" if name else f"{where}: {error.get('msg')}")
    return "; ".join(parts) or "invalid request"


def error_response(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


def error_headers(exc: Exception) -> dict[str, str] | None:
    """``Retry-After`` on a 503 that a retry can cure."""
    return {"Retry-After": str(exc.retry_after)} if isinstance(exc, ServerBusy) else None


def install_error_handlers(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    async def handle(request: Request, exc: Exception) -> Response:
        status, kind, message = describe(exc)
        if isinstance(exc, StarletteHTTPException) and message in _ROUTING_DEFAULTS:
            message = f"no {request.method} {request.url.path} here (the API is under /api, described at /docs)"
        if status >= 500 and kind == "internal_error":
            log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        headers = error_headers(exc)
        if html is not None and not request.url.path.startswith(JSON_PREFIXES):
            response = html(request, status, kind, message)
            response.headers.update(headers or {})
            return response
        return error_response(status, kind, message, headers)

    for exc_type in (YtrecError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_type, handle)


def _one_line(message: str) -> str:
    return message.splitlines()[0] if message else "unknown error"
