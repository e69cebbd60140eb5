"""REST endpoints. Plain reads (a catalog video's recommendations, browsing, one video) are short
CPU work on stored vectors: they run on the event loop, with no thread hop, and answer prepared
dicts as orjson bytes (``api.fast`` answers their plainly valid requests before the router; these
handlers answer the rest and document them). Anything that runs a model (search text, a new video's thumbnail and title)
goes to the bounded encoding pool (``api.encoding``), so it never holds up those reads. Validation
of k, mode and weights is the core's (one set of messages for CLI, API and page); these handlers
only translate HTTP to calls. ``response_model`` still documents every body in /docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from ytrec.api.json import json_response
from ytrec.api.models import ErrorBody, FeedbackRequest, Health, Recommendations, SearchResults, Video, VideoPage
from ytrec.api.service import Service
from ytrec.core.browse import MAX_PER_PAGE
from ytrec.core.query import MAX_K, MODES, weights_from_flags


async def get_service(request: Request) -> Service:
    """The worker's current Service (async: no thread hop just to read it)."""
    return request.app.state.live.current()


ServiceDep = Annotated[Service, Depends(get_service)]

_errors = {code: {"model": ErrorBody} for code in (400, 404, 413, 422, 503)}
K_HELP = f"how many results, 1..{MAX_K} (fewer when the catalog is smaller)"
MODE_HELP = "hybrid (every modality), thumbnail or title"
W_HELP = "fusion weight, >= 0; at least one active weight must be positive; omit all for the bundle's defaults"
W_LEXICAL_HELP = f"{W_HELP} (title_lexical: the titles' character n-grams)"
W_COPY_HELP = f"{W_HELP} (thumbnail_copy: the same picture re-uploaded; 0 by default)"
_mode_schema = {"enum": list(MODES)}

api = APIRouter(prefix="/api", tags=["api"], responses=_errors)
media = APIRouter(tags=["media"], responses=_errors)


@api.get("/videos", response_model=VideoPage, summary="Browse, filter and paginate the catalog")
async def list_videos(
    service: ServiceDep,
    q: Annotated[str | None, Query(description="case-insensitive text the title contains")] = None,
    channel: Annotated[str | None, Query(description="exact channel name")] = None,
    page: int = 1,
    per_page: Annotated[int, Query(description=f"1..{MAX_PER_PAGE}")] = 24,
    seed: Annotated[int | None, Query(description="shuffle reproducibly with this seed")] = None,
) -> Response:
    return json_response(service.browse_body(q=q, channel=channel, page=page, per_page=per_page, seed=seed))


@api.get("/videos/{video_id}", response_model=Video, summary="One video")
async def get_video(video_id: str, service: ServiceDep) -> Response:
    return json_response(service.video_body(video_id))


@api.get("/videos/{video_id}/recommendations", response_model=Recommendations,
         summary="Videos like a catalog video, ranked")
async def video_recommendations(
    video_id: str,
    service: ServiceDep,
    k: Annotated[int | None, Query(description=K_HELP)] = None,
    mode: Annotated[str, Query(description=MODE_HELP, json_schema_extra=_mode_schema)] = "hybrid",
    w_thumbnail: Annotated[float | None, Query(description=W_HELP)] = None,
    w_title: Annotated[float | None, Query(description=W_HELP)] = None,
    w_lexical: Annotated[float | None, Query(description=W_LEXICAL_HELP)] = None,
    w_copy: Annotated[float | None, Query(description=W_COPY_HELP)] = None,
    ef_search: Annotated[int | None, Query(description="HNSW index: search beam (recall vs time)")] = None,
    nprobe: Annotated[int | None, Query(description="IVF index: lists scanned (recall vs time)")] = None,
    rerank: Annotated[int | None, Query(description="IVF-PQ index: candidates re-scored exactly")] = None,
) -> Response:
    return json_response(service.recommendations_body(
        video_id, k=k, mode=mode, w_thumbnail=w_thumbnail, w_title=w_title, w_lexical=w_lexical, w_copy=w_copy,
        ef_search=ef_search, nprobe=nprobe, rerank=rerank))


@api.post("/recommendations", response_model=Recommendations,
          summary="Cold start: recommendations for a new video (thumbnail upload + title)")
async def new_video_recommendations(
    service: ServiceDep,
    image: Annotated[UploadFile | None, File(description="thumbnail (JPEG, PNG, WebP, ...)")] = None,
    title: Annotated[str | None, Form(description="the new video's title")] = None,
    k: Annotated[int | None, Form(description=K_HELP)] = None,
    mode: Annotated[str, Form(description=MODE_HELP, json_schema_extra=_mode_schema)] = "hybrid",
    w_thumbnail: Annotated[float | None, Form(description=W_HELP)] = None,
    w_title: Annotated[float | None, Form(description=W_HELP)] = None,
    w_lexical: Annotated[float | None, Form(description=W_LEXICAL_HELP)] = None,
    w_copy: Annotated[float | None, Form(description=W_COPY_HELP)] = None,
) -> Response:
    data = await service.receive_upload(image)
    k = service.settings.default_k if k is None else k
    weights = weights_from_flags({"thumbnail": w_thumbnail, "copy": w_copy, "title": w_title, "lexical": w_lexical})
    results = await service.recommend_new(data, title, k=k, mode=mode, weights=weights)
    return json_response({"video": None, "title": title, "mode": mode, "k": k, "weights": weights,
                          "items": [service.scored(r) for r in results]})


@api.post("/recommendations/feedback", response_model=Recommendations,
          summary="Liked and disliked catalog videos (per-modality weights), with filters and diversity")
async def feedback_recommendations(body: FeedbackRequest, service: ServiceDep) -> Response:
    from ytrec.core.filters import Filters

    recommender = service.recommender
    k = service.settings.default_k if body.k is None else body.k
    results = recommender.feedback(
        body.liked, body.disliked, k=k, mode=body.mode, weights=body.weights,
        like_weights=body.like_weights, dislike_weights=body.dislike_weights, fusion=body.fusion,
        filters=Filters(tuple(body.channels), tuple(body.categories), body.exclude_own_channel),
        diversity=recommender.diversity.with_overrides(body.mmr, body.channel_cap, body.collapse),
    )
    return json_response({"video": None, "title": None, "mode": body.mode, "k": k, "weights": body.weights,
                          "items": [service.scored(r) for r in results]})


@api.get("/search", response_model=SearchResults, summary="Free-text search over titles")
async def search(
    service: ServiceDep,
    q: Annotated[str, Query(description="search text (embedded as an e5 'query: ' where the model uses prefixes)")] = "",
    k: Annotated[int | None, Query(description=K_HELP)] = None,
) -> Response:
    k = service.settings.default_k if k is None else k
    results = await service.search(q, k=k)
    return json_response({"q": q, "k": k, "items": [service.scored(r) for r in results]})


@media.get("/thumbs/{video_id}.jpg", response_class=FileResponse, summary="A video's stored thumbnail")
async def thumbnail(video_id: str, service: ServiceDep) -> FileResponse:
    path = service.recommender.bundle.thumbnail_path(service.row(video_id))
    if path is None or not path.is_file():
        raise HTTPException(404, f"video '{video_id}' has no stored thumbnail")
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=86400"})


@media.get("/healthz", response_model=Health, summary="Bundle loaded: counts and model names")
async def healthz(service: ServiceDep) -> Response:
    return json_response(service.health)
