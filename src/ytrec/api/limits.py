"""A hard cap on request bodies, so an upload is refused while it streams in, not after it is spooled.

A declared Content-Length over the cap is refused before a byte is read; a body without one
(chunked) is counted as it arrives. The refusal is an HTTP 413 raised from ``receive`` inside the
route, so the app's error handlers answer it (JSON for the API, HTML for pages).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large(limit: int, size: int | None = None) -> HTTPException:
    got = f"the request is {size:,} bytes" if size is not None else "the upload is too large"
    return HTTPException(413, f"{got}; uploads are limited to {limit:,} bytes ({limit / 2**20:.1f} MiB)")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes  # what the message states: the image limit users know

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        declared_size = int(declared) if declared and declared.isdigit() else None
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared_size is not None and declared_size > self.max_body_bytes:
                raise too_large(self.max_upload_bytes, declared_size)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise too_large(self.max_upload_bytes)
            return message

        await self.app(scope, limited_receive, send)
