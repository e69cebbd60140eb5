"""POST /api/recommendations/feedback: liked/disliked examples, filters, diversity, explanations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ytrec.core.recommender import Recommender


def test_feedback_with_filters_and_explanations(client: TestClient, recommender: Recommender):
    ids = recommender.catalog.video_ids
    channels = recommender.catalog.column("channel")
    body = {"liked": [ids[0], ids[1]], "disliked": [ids[2]], "k": 5, "exclude_own_channel": True,
            "like_weights": {"thumbnail": 1, "title": 0}, "channel_cap": 1, "fusion": "rrf"}
    response = client.post("/api/recommendations/feedback", json=body)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert len(items) == 5
    own = {channels[0], channels[1], channels[2]}
    assert not own & {item["channel"] for item in items}
    assert len({item["channel"] for item in items}) == 5  # cap 1 per channel
    for item in items:
        assert item["driver"] in item["contributions"]
        assert sum(item["contributions"].values()) == pytest.approx(item["score"], abs=1e-4)


def test_feedback_errors_are_4xx(client: TestClient, recommender: Recommender):
    assert client.post("/api/recommendations/feedback", json={"liked": []}).status_code == 422
    response = client.post("/api/recommendations/feedback", json={"liked": ["nope"]})
    assert response.status_code in (400, 404) and "nope" in response.text
    bad_mmr = {"liked": [recommender.catalog.video_ids[0]], "mmr": 2}
    assert client.post("/api/recommendations/feedback", json=bad_mmr).status_code == 400
