"""JSON bodies with orjson: several times faster than the standard library, and no pydantic
validation pass over bodies the service built from its own prepared records."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")
