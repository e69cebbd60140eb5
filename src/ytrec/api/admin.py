"""Write endpoints: add a video (``POST /api/videos``) and remove one (``DELETE /api/videos/{id}``).

Behind an API key (``ytrec serve --api-key`` or ``YTREC_API_KEY``), sent as ``X-API-Key: KEY`` or
``Authorization: Bearer KEY``. With no key configured the write endpoints are disabled (403); a
missing or wrong key is 401. Read endpoints stay open.

Each write runs the same pipeline as ``ytrec add`` / ``ytrec remove`` (same validation and report,
atomic publish of the bundle), then swaps the served Recommender for one opened on the new bundle.
Requests already running finish on the old one (its files stay readable: they are only unlinked);
the loaded models are handed over, so no request waits on a model load.
"""

from __future__ import annotations

import csv
import hmac
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile

from ytrec.api.errors import VideoNotFound
from ytrec.api.routes import ServiceDep
from ytrec.api.models import ErrorBody, Video
from ytrec.api.service import Service
from ytrec.core.browse import CatalogBrowser
from ytrec.catalog.images import ThumbnailError, open_thumbnail
from ytrec.core.recommender import Recommender
from ytrec.errors import QueryError

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
    service: ServiceDep,
    video_id: Annotated[str, Form(description="new, unique video id")],
    title: Annotated[str, Form(description="the video's title")],
    image: Annotated[UploadFile | None, File(description="thumbnail; required when the bundle indexes thumbnails")] = None,
    channel: Annotated[str | None, Form()] = None,
    category: Annotated[str | None, Form()] = None,
    published_at: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    from ytrec.pipeline.update import add_videos

    if video_id.strip() in service.recommender.catalog:
        raise HTTPException(409, f"video id '{video_id.strip()}' is already in the catalog")
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
        service = request.app.state.service  # the current one: another write may have swapped it
        old = service.recommender
        with service.model_lock:  # the add encodes with the served models
            result = add_videos(old.bundle.root, str(table), log=lambda message: None,
                                embedder=old.title_embedder,
                                encoder=old.thumbnail_encoder if old.bundle.has_thumbnails else None)
        service = _swap(request, service)
    new_row = service.recommender.catalog.row_of(video_id.strip())
    return {"video": service.video(new_row).model_dump(), "videos": len(service.recommender.catalog),
            "drift": result.drift.to_dict() if result.drift else None}


@admin.delete("/videos/{video_id}", summary="Remove a video from the catalog (API key)")
def remove_video(video_id: str, request: Request) -> dict[str, Any]:
    from ytrec.pipeline.update import remove_videos

    with _write_lock:
        service = request.app.state.service
        old = service.recommender
        if video_id not in old.catalog:
            raise VideoNotFound(video_id)
        remove_videos(old.bundle.root, [video_id], log=lambda message: None)
        service = _swap(request, service)
    return {"removed": video_id, "videos": len(service.recommender.catalog)}


def _swap(request: Request, service: Service) -> Service:
    """Serve the published bundle, handing over the models already loaded (same model files).

    The new recommender and catalog browser go live together as one new Service object: a
    request holds the Service it started with, so it never sees one new part beside one old.
    """
    old = service.recommender
    new = Recommender.open(old.bundle.root)
    for name in ("title_embedder", "thumbnail_encoder"):
        if name in old.__dict__:  # cached_property values
            new.__dict__[name] = old.__dict__[name]
    swapped = replace(service, recommender=new, browser=CatalogBrowser(new.catalog))
    request.app.state.service = swapped
    return swapped


__all__ = ["admin", "Video"]
