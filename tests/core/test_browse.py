"""CatalogBrowser: pages cost what they show, and every filter still lists exactly the videos a plain
scan over the titles (``needle in title.casefold()``) and channels would."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from ytrec.catalog.catalog import Catalog
from ytrec.core.browse import CatalogBrowser, permuted
from ytrec.errors import QueryError

TITLES = ["Straße nach Köln", "STRASSE am Meer", "ගඟ අද්දර | කොටස 116", "Cooking pasta", "cooking RICE fast",
          "İstanbul vlog", "Ünïcödé test", "pasta pasta", "ΣΊΣΥΦΟΣ", "night news 25.10.2025"]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    records = [{"video_id": f"v{i}", "title": TITLES[i % len(TITLES)] + f" #{i}",
                "channel": None if i % 13 == 0 else f"Channel {'ABCab'[i % 5]}"} for i in range(257)]
    return Catalog.from_records(records)


def scan(catalog: Catalog, q: str, channel: str | None) -> list[int]:
    """The reference: what browsing lists, found by looking at every row."""
    needle = q.strip().casefold()
    channels = catalog.column("channel")
    return [row for row, title in enumerate(catalog.titles)
            if needle in title.casefold() and (channel is None or channels[row] == channel)]


def all_pages(browser: CatalogBrowser, **filters) -> list[int]:
    rows, page = [], 1
    while True:
        result = browser.browse(page=page, per_page=10, **filters)
        rows += result.rows
        if page >= result.pages:
            return rows
        page += 1


@pytest.mark.parametrize("q", ["", "strasse", "STRAẞE", "pasta", "ගඟ", "istanbul", "i̇stanbul", "σίσυφος", " #1", "nothing"])
@pytest.mark.parametrize("channel", [None, "Channel A", "Channel a"])
def test_filters_list_exactly_what_a_scan_finds(catalog: Catalog, q: str, channel: str | None):
    browser = CatalogBrowser(catalog)
    expected = scan(catalog, q, channel)
    first = browser.browse(q=q, channel=channel, per_page=10)
    assert first.total == len(expected) and first.pages == max(1, -(-len(expected) // 10))
    assert all_pages(browser, q=q, channel=channel) == expected
    shuffled = all_pages(browser, q=q, channel=channel, seed=3)
    assert sorted(shuffled) == expected  # a shuffled listing still shows each match once
    assert all_pages(browser, q=q, channel=channel, seed=3) == shuffled


def test_unfiltered_pages_and_channels(catalog: Catalog):
    browser = CatalogBrowser(catalog)
    page = browser.browse(page=3, per_page=24)
    assert page.rows == list(range(48, 72)) and page.total == 257 and page.pages == 11
    assert browser.browse(page=12, per_page=24).rows == []
    channels = catalog.column("channel")
    first_seen = Counter(c for c in channels if c)  # ties in case-folded order: first seen first
    assert browser.channels == sorted(first_seen.items(), key=lambda item: item[0].casefold())
    one = browser.browse(seed=1, per_page=100).rows
    assert one != list(range(100)) and one != browser.browse(seed=2, per_page=100).rows


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"per_page": 0}, "between 1 and 100"), ({"per_page": 101}, "between 1 and 100"), ({"page": 0}, "1 or more"),
     ({"channel": "Nobody"}, "unknown channel 'Nobody'"), ({"q": "x" * 201}, "limit is 200")],
)
def test_bad_requests(catalog: Catalog, filters: dict, message: str):
    with pytest.raises(QueryError, match=message):
        CatalogBrowser(catalog).browse(**filters)


@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 1024, 1025])
def test_the_shuffle_is_a_permutation_for_every_seed(n: int):
    for seed in (0, 1, -5, 2**80):
        order = permuted(np.arange(n), n, seed)
        assert sorted(order.tolist()) == list(range(n))
        assert np.array_equal(permuted(np.arange(n), n, seed), order)
    assert n < 17 or not np.array_equal(permuted(np.arange(n), n, 1), permuted(np.arange(n), n, 2))
