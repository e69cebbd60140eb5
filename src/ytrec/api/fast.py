"""The hot read routes answered without the framework's per-request machinery.

A recommendation for a catalog video is a few milliseconds of vector work; FastAPI's routing,
dependency solving and pydantic parameter validation, and Starlette's ``Response`` object, add
a fixed cost on top of every one (several percent of a worker's CPU under load). ``FastReads``
sits in front of the router and answers the plain ``GET`` reads (``/api/videos/{id}/recommendations``,
``/api/videos/{id}``, ``/api/videos``, ``/healthz``) itself: a path split, the query string parsed
against that route's parameters, the Service's prepared body as orjson bytes, two ASGI messages.

It only answers what it can answer exactly as the FastAPI route would: a parameter value it does
not recognise as plainly valid (``k=ten``, ``k=``, a repeated parameter) or a parameter the route
does not know makes it pass the request on untouched, so every validation message stays FastAPI's.
Errors raised by the core (unknown id, k out of range, bad mode) get the same ``{"error": ...}``
body the app's handlers give. The FastAPI routes stay: they document the API in /docs and answer
whatever passes through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from ytrec.api.errors import describe, error_headers, error_response
from ytrec.api.json import dumps
from ytrec.api.service import Service
from ytrec.errors import YtrecError

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?")
_JSON = (b"content-type", b"application/json")


class PassOn(Exception):
    """This request is the framework's to answer (a parameter the fast path does not take as is)."""


def _int(value: str) -> int:
    if _INT.fullmatch(value) is None:
        raise PassOn
    return int(value)


def _float(value: str) -> float:
    if _FLOAT.fullmatch(value) is None:
        raise PassOn
    return float(value)


def _str(value: str) -> str:
    return value


Parsers = dict[str, Callable[[str], Any]]
RECOMMENDATION_PARAMS: Parsers = {
    "k": _int, "mode": _str, "w_thumbnail": _float, "w_title": _float, "w_lexical": _float, "w_copy": _float,
    "ef_search": _int, "nprobe": _int, "rerank": _int,
}
BROWSE_PARAMS: Parsers = {"q": _str, "channel": _str, "page": _int, "per_page": _int, "seed": _int}


def parse_query(query_string: bytes, parsers: Parsers) -> dict[str, Any]:
    """The query parameters as the route's types; ``PassOn`` for anything not plainly valid."""
    if not query_string:
        return {}
    values: dict[str, Any] = {}
    # decoded as Starlette decodes it, so a value means the same on both paths
    for name, raw in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        parse = parsers.get(name)
        if parse is None or name in values or (raw == "" and parse is not _str):
            raise PassOn
        values[name] = parse(raw)
    return values


class FastReads:
    """ASGI middleware: the hot GET reads answered directly, everything else passed on."""

    def __init__(self, app: ASGIApp, current: Callable[[], Service]) -> None:
        self.app = app
        self.current = current

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        try:
            answer = self.route(scope)
        except PassOn:
            answer = None
        except YtrecError as exc:
            status, kind, message = describe(exc)
            await error_response(status, kind, message, error_headers(exc))(scope, receive, send)
            return
        if answer is None:
            await self.app(scope, receive, send)
            return
        body = dumps(answer)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode()), _JSON]})
        await send({"type": "http.response.body", "body": body})

    def route(self, scope: Scope) -> dict[str, Any] | None:
        """The answer's body, or None when the path is not one of the fast routes."""
        path: str = scope["path"]
        if path.startswith("/api/videos"):
            rest = path[len("/api/videos"):]
            if not rest:
                return self.current().browse_body(**parse_query(scope["query_string"], BROWSE_PARAMS))
            if rest[0] != "/":
                return None
            video_id, slash, tail = rest[1:].partition("/")
            if not video_id:
                return None
            if not slash:
                return self.current().video_body(video_id) if not scope["query_string"] else None
            if tail == "recommendations":
                params = parse_query(scope["query_string"], RECOMMENDATION_PARAMS)
                return self.current().recommendations_body(video_id, **params)
            return None
        if path == "/healthz" and not scope["query_string"]:
            return self.current().health
        return None
