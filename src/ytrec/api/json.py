"""JSON bodies with orjson: several times faster than the standard library, and no pydantic
validation pass over bodies the service built from its own prepared records."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.responses import Response


def dumps(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits echoed from a query parameter
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(dumps(body), status_code=status_code, media_type="application/json")
