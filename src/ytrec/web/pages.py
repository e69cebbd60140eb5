"""Server-rendered pages. They call the same Service as the API, so every list works without
JavaScript; static/app.js only re-fetches the API to update lists in place. Model work (search,
a new video) goes through the same bounded encoding pool as the API's."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ytrec.api.errors import describe
from ytrec.api.routes import ServiceDep
from ytrec.api.service import Service
from ytrec.core.query import MODES, active_modalities
from ytrec.errors import QueryError
from ytrec.signals import SIGNALS, signals_for_source

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# The "why" bars: every signal that counts by default, as (weight flag, signal name, label).
templates.env.globals["why_signals"] = [(s.weight_flag, s.name, s.label) for s in SIGNALS.values() if s.default_weight > 0]
# The modes the page offers (the API takes every mode the core knows); labels as shown.
MODE_LABELS = {"hybrid": "Both", "thumbnail": "Thumbnail", "title": "Title"}
MAX_SEED = 1_000_000

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def render_error(request: Request, status: int, kind: str, message: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "kind": kind, "message": message}, status_code=status
    )


# The balance slider sets the thumbnail side against the title side; the title side's share is
# divided among the bundle's title signals as its default weights divide it. Signal -> API parameter.
TITLE_SIDE = {s.name: f"w_{s.weight_flag}" for s in signals_for_source("title")}


def title_split(service: Service) -> dict[str, float]:
    """Each title signal's share of the title side, from the bundle's default weights."""
    present = [m for m in TITLE_SIDE if m in service.recommender.bundle.modalities]
    defaults = {m: service.recommender.default_weights.get(m, 0.0) for m in present}
    total = sum(defaults.values())
    return {m: w / total for m, w in defaults.items()} if total > 0 else {m: float(m == "title") for m in present}


def balance_weights(balance: int | None, mode: str, split: dict[str, float]) -> dict[str, float] | None:
    """The slider (0 = all title, 100 = all thumbnail) as fusion weights; only hybrid mixes."""
    if balance is None or mode != "hybrid":
        return None
    if not 0 <= balance <= 100:
        raise QueryError(f"balance must be between 0 and 100, got {balance}")
    return {"thumbnail": balance / 100, **{m: share * (100 - balance) / 100 for m, share in split.items()}}


def default_balance(service: Service) -> int:
    """The bundle's thumbnail share of thumbnail + title weights, on the slider's 5-point steps."""
    weights = service.recommender.default_weights
    thumbnail = weights.get("thumbnail", 0.0)
    total = thumbnail + sum(weights.get(m, 0.0) for m in TITLE_SIDE)
    return 5 * round(20 * thumbnail / total) if total > 0 else 50


def _context(service: Service, **values: object) -> dict[str, object]:
    split = title_split(service)
    return {
        "has_thumbnails": service.has_thumbnails,
        "split": {TITLE_SIDE[m]: share for m, share in split.items()} if service.has_thumbnails and split else None,
        "modes": [(m, label) for m, label in MODE_LABELS.items() if m in MODES and _offered(service, m)],
        "default_k": service.settings.default_k,
        **values,
    }


def _offered(service: Service, mode: str) -> bool:
    try:
        active_modalities(mode, service.recommender.bundle.modalities)
    except QueryError:
        return False
    return True


@router.get("/")
def home(
    request: Request,
    service: ServiceDep,
    q: str | None = None,
    channel: str | None = None,
    page: int = 1,
    seed: int | None = None,
) -> Response:
    seed = random.randrange(MAX_SEED) if seed is None else seed
    result = service.browser.browse(q=q, channel=channel, page=page, per_page=service.settings.per_page, seed=seed)
    context = _context(
        service,
        videos=[service.video(row) for row in result.rows],
        result=result,
        q=q or "",
        channel=channel or "",
        seed=seed,
        channels=service.browser.channels,
    )
    return templates.TemplateResponse(request, "home.html", context)


@router.get("/search")
async def search_page(request: Request, service: ServiceDep, q: str = "", k: int | None = None) -> Response:
    items, error = [], None
    if q.strip():
        try:
            items = [service.scored(r) for r in await service.search(q, k=k or service.settings.default_k)]
        except QueryError as exc:
            error = describe(exc)[2]
    context = _context(service, q=q, items=items, error=error)
    return templates.TemplateResponse(request, "search.html", context, status_code=400 if error else 200)


@router.get("/videos/{video_id}")
def video_page(
    request: Request,
    video_id: str,
    service: ServiceDep,
    mode: str = "hybrid",
    balance: int | None = None,
    k: int | None = None,
) -> Response:
    row = service.row(video_id)
    video = service.video(row)
    k = k or service.settings.default_k
    results = service.recommender.similar_row(row, k=k, mode=mode, weights=balance_weights(balance, mode, title_split(service)))
    context = _context(
        service,
        video=video,
        api_url=f"/api{video['page_url']}/recommendations",
        items=[service.scored(r) for r in results],
        mode=mode,
        k=k,
        balance=default_balance(service) if balance is None else balance,
    )
    return templates.TemplateResponse(request, "video.html", context)


@router.get("/new")
def new_video_form(request: Request, service: ServiceDep) -> Response:
    context = _context(service, title="", items=None, error=None, mode="hybrid", balance=default_balance(service))
    return templates.TemplateResponse(request, "new.html", context)


@router.post("/new")
async def new_video_results(
    request: Request,
    service: ServiceDep,
    image: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "hybrid",
    balance: Annotated[int | None, Form()] = None,
) -> Response:
    items, error = None, None
    try:
        data = await service.receive_upload(image)
        results = await service.recommend_new(
            data, title, k=service.settings.default_k, mode=mode, weights=balance_weights(balance, mode, title_split(service))
        )
        items = [service.scored(r) for r in results]
    except QueryError as exc:
        error = describe(exc)[2]
    context = _context(
        service,
        title=title,
        items=items,
        error=error,
        mode=mode,
        balance=default_balance(service) if balance is None else balance,
    )
    return templates.TemplateResponse(request, "new.html", context, status_code=400 if error else 200)
