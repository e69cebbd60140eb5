"""Write endpoints: add a video (``POST /api/videos``) and remove one (``DELETE /api/videos/{id}``).

Behind an API key (``ytrec serve --api-key`` or ``YTREC_API_KEY``), sent as ``X-API-Key: KEY`` or
``Authorization: Bearer KEY``. With no key configured the write endpoints are disabled (403); a
missing or wrong key is 401. Read endpoints stay open.

Each write runs the same pipeline as ``ytrec add`` / ``ytrec remove`` (same validation and report,
atomic publish of the bundle, the bundle's exclusive lock: writes through different worker
processes take turns and none is lost), then this worker serves the new bundle before answering;
the other workers see the new generation on their next request (``api.live``). Requests already
running finish on the old one (its files stay readable: they are only unlinked); the loaded models
are handed over, so no request waits on a model load.
"""

from __future__ import annotations

import csv
import hmac
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile

from ytrec.api.errors import VideoNotFound
from ytrec.api.live import LiveService
from ytrec.api.models import ErrorBody
from ytrec.catalog.images import ThumbnailError, open_thumbnail
from ytrec.errors import CatalogError, QueryError

_write_lock = threading.Lock()  # one write at a time per process (bundle_lock guards processes)


def require_api_key(request: Request) -> None:
    expected = getattr(request.app.state, "api_key", None)
    if not expected:
        raise HTTPException(403, "write endpoints are disabled: start the server with --api-key KEY "
                                 "(or YTREC_API_KEY) to enable adding and removing videos")
    given = request.headers.get("x-api-key")
    auth = request.headers.get("authorization", "")
    if given is None and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "missing or wrong API key (send it as X-API-Key or Authorization: Bearer)")


admin = APIRouter(prefix="/api", tags=["admin"], dependencies=[Depends(require_api_key)],
                  responses={code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 413, 422, 503)})


@admin.post("/videos", status_code=201, summary="Add a video to the catalog (API key)")
def add_video(
    request: Request,
    video_id: Annotated[str, Form(description="new, unique video id")],
    title: Annotated[str, Form(description="the video's title")],
    image: Annotated[UploadFile | None, File(description="thumbnail; required when the bundle indexes thumbnails")] = None,
    channel: Annotated[str | None, Form()] = None,
    category: Annotated[str | None, Form()] = None,
    published_at: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    from ytrec.pipeline.update import add_videos

    live: LiveService = request.app.state.live
    service = live.fresh()
    wanted = video_id.strip()
    if wanted in service.recommender.catalog:
        raise _already_there(wanted)
    # size first (BodyLimit and read_upload), then the pixel count, and only then a decode (open_thumbnail)
    data = service.read_upload(image.file if image is not None else None)
    # the pipeline validates again; checking here answers with the reason instead of "no usable row"
    if not title.strip():
        raise QueryError("the title is empty")
    if service.has_thumbnails:
        if data is None:
            raise QueryError("this catalog indexes thumbnails: send the new video's thumbnail as 'image'")
        try:
            open_thumbnail(data)
        except ThumbnailError as exc:
            raise QueryError(f"thumbnail rejected ({exc.code}): {exc}") from None
    with _write_lock, tempfile.TemporaryDirectory(prefix="ytrec-add-") as scratch:
        row = {"video_id": video_id, "title": title, "channel": channel or "", "category": category or "",
               "published_at": published_at or ""}
        if data is not None:
            (Path(scratch) / "upload").write_bytes(data)
            row["thumbnail"] = "upload"
        table = Path(scratch) / "new.csv"
        with table.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        served = live.current()  # the add encodes with the served models, one locked call at a time
        models, pool = served.recommender, served.encoding
        try:
            result = pool.admitted_call(lambda: add_videos(
                live.root, str(table), log=_quiet, embedder=pool.locked(models.title_embedder),
                encoder=pool.locked(models.thumbnail_encoder) if models.bundle.has_thumbnails else None))
        except CatalogError:
            if wanted in live.reload_now().recommender.catalog:  # another worker added it meanwhile
                raise _already_there(wanted) from None
            raise
        service = live.reload_now()
    return {"video": service.video(service.row(wanted)), "videos": len(service.recommender.catalog),
            "drift": result.drift.to_dict() if result.drift else None}


@admin.delete("/videos/{video_id}", summary="Remove a video from the catalog (API key)")
def remove_video(video_id: str, request: Request) -> dict[str, Any]:
    from ytrec.pipeline.update import remove_videos

    live: LiveService = request.app.state.live
    with _write_lock:
        if video_id not in live.fresh().recommender.catalog:
            raise VideoNotFound(video_id)
        try:
            remove_videos(live.root, [video_id], log=_quiet)
        except QueryError:
            if video_id not in live.reload_now().recommender.catalog:  # another worker removed it meanwhile
                raise VideoNotFound(video_id) from None
            raise
        service = live.reload_now()
    return {"removed": video_id, "videos": len(service.recommender.catalog)}


def _already_there(video_id: str) -> HTTPException:
    return HTTPException(409, f"video id '{video_id}' is already in the catalog")


def _quiet(message: str) -> None:
    """The pipeline's progress lines; a server answers with the result instead."""


__all__ = ["admin"]
