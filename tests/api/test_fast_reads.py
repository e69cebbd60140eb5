"""``api.fast.FastReads`` answers the hot reads itself: every answer (status, body, content type)
must equal the FastAPI route's for the same request, and whatever it does not take as plainly
valid must reach the route untouched (so validation messages stay FastAPI's)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ytrec.api.fast import BROWSE_PARAMS, FastReads, PassOn, parse_query
from ytrec.core.query import MAX_K
from ytrec.core.recommender import Recommender

# FastAPI ignores query parameters a route does not declare; FastReads passes such a request on
VIA_ROUTER = {"via": "router"}


@pytest.fixture()
def passed_on(monkeypatch) -> list[str]:
    """The paths of the requests FastReads handed to the router."""
    paths: list[str] = []
    original = FastReads.route

    def route(self, scope):
        try:
            answer = original(self, scope)
        except PassOn:
            answer = None
        if answer is None:
            paths.append(scope["path"])
        return answer

    monkeypatch.setattr(FastReads, "route", route)
    return paths


def cases(recommender: Recommender) -> list[tuple[str, dict]]:
    vid = recommender.catalog.video_ids[3]
    channel = recommender.catalog.record(0)["channel"]
    word = recommender.catalog.titles[5].split()[0]
    recs = f"/api/videos/{vid}/recommendations"
    return [
        ("/healthz", {}),
        (f"/api/videos/{vid}", {}),
        ("/api/videos/nope", {}),
        ("/api/videos", {}),
        ("/api/videos", {"page": 2, "per_page": 7}),
        ("/api/videos", {"q": word.upper(), "per_page": 100}),
        ("/api/videos", {"q": "", "channel": channel}),
        ("/api/videos", {"seed": 7, "per_page": 5, "page": 3}),
        ("/api/videos", {"per_page": 0}),
        ("/api/videos", {"page": -1}),
        ("/api/videos", {"channel": "No Such Channel"}),
        ("/api/videos", {"q": "x" * 201}),
        (recs, {}),
        (recs, {"k": 5}),
        (recs, {"k": 8, "w_thumbnail": 1, "w_title": 3}),
        (recs, {"k": 5, "w_thumbnail": 0, "w_title": 0, "w_lexical": 1.5}),
        (recs, {"mode": "thumbnail", "k": 4}),
        (recs, {"mode": "title", "ef_search": 64}),
        (recs, {"k": 0}),
        (recs, {"k": MAX_K + 1}),
        (recs, {"mode": "best"}),
        (recs, {"mode": ""}),
        (recs, {"w_thumbnail": -1}),
        (recs, {"w_thumbnail": 0, "w_title": 0}),
        ("/api/videos/nope/recommendations", {"k": 5}),
    ]


def test_fast_answers_equal_the_routes(client: TestClient, recommender: Recommender, passed_on: list[str]):
    for path, params in cases(recommender):
        fast = client.get(path, params=params)
        assert passed_on == [], f"{path} {params} was passed on"
        routed = client.get(path, params={**params, **VIA_ROUTER})
        assert passed_on == [path]
        assert fast.status_code == routed.status_code, (path, params, fast.text, routed.text)
        assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
        assert fast.json() == routed.json(), (path, params)
        passed_on.clear()


@pytest.mark.parametrize(
    "params",
    [{"k": "ten"}, {"k": ""}, {"k": "+5"}, {"k": "05"}, {"k": "5.0"}, {"w_title": "nan"}, {"w_title": "1e-3"},
     {"k": "99999999999999999999999"}, {"k": ["3", "4"]}],
)
def test_anything_not_plainly_valid_reaches_the_route(
    client: TestClient, recommender: Recommender, passed_on: list[str], params: dict
):
    path = f"/api/videos/{recommender.catalog.video_ids[3]}/recommendations"
    response = client.get(path, params=params)
    assert passed_on == [path]
    assert response.status_code in (200, 400, 422) and "Traceback" not in response.text


def test_parse_query_decodes_like_starlette():
    assert parse_query(b"q=caf%C3%A9+au+lait&page=2", BROWSE_PARAMS) == {"q": "café au lait", "page": 2}
    assert parse_query(b"", BROWSE_PARAMS) == {}
    for bad in (b"page=2&page=3", b"page=", b"unknown=1", b"seed=1.5"):
        with pytest.raises(PassOn):
            parse_query(bad, BROWSE_PARAMS)
