"""The pages in a real browser: Debian's Chromium, driven by playwright, against `ytrec serve`.

Screenshots land in test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.fixtures.bundles import SampleBundle
from tests.helpers.processes import stop

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
STARTUP_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_bundle: SampleBundle, tmp_path_factory) -> Iterator[str]:
    """`ytrec serve --workers 2` as its own processes on a free local port; the URL once both workers are up."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ytrec.cli", "serve", str(sample_bundle.bundle), "--port", str(port),
             "--workers", "2"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"ytrec serve exited with {process.returncode}:\n{log.read_text()}")
            try:  # both workers have loaded their models (each says so) and one answers
                if log.read_text(errors="replace").count(" ready (") == 2 and \
                        httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ytrec serve did not answer /healthz in {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")
            time.sleep(0.3)
        assert f"http://127.0.0.1:{port}" in log.read_text()  # it says where it is
        yield url
    finally:
        stop(process, timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    """Save a screenshot with every thumbnail loaded (lazy ones below the fold included)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
    page.wait_for_function("() => [...document.images].every(img => img.hidden || img.complete)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def card_ids(page: Page, list_id: str = "recs") -> list[str]:
    return page.locator(f"#{list_id} .card-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_home_search_and_video_page(page: Page, server: str):
    page.goto(f"{server}/?seed=1")
    cards = page.locator("#videos .card")
    expect(cards).to_have_count(24)
    first = cards.first
    title = first.locator(".card-title").inner_text()
    expect(first.locator("img")).to_have_attribute("alt", title)
    page.wait_for_function(  # the first row's thumbnails really load (the rest load lazily)
        "() => [...document.querySelectorAll('#videos img')].slice(0, 4).every(i => i.complete && i.naturalWidth)"
    )
    shot(page, "01-home")

    page.get_by_label("Search titles").fill(title)
    page.get_by_label("Search titles").press("Enter")
    expect(page.locator("h1")).to_contain_text("Results for")
    expect(page.locator("#results .card").first.locator(".card-title")).to_have_text(title)
    shot(page, "02-search")

    page.locator("#results .card-link").first.click()
    expect(page.locator("h1")).to_have_text(title)
    recs = page.locator("#recs .card")
    expect(recs).to_have_count(10)
    expect(recs.locator('[data-field="rank"]')).to_have_text([str(r) for r in range(1, 11)])
    scores = [float(s) for s in recs.locator('[data-field="score"]').all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    expect(recs.first.locator(".bar-thumbnail .bar-value")).to_have_text(re.compile(r"^-?\d\.\d\d$"))
    expect(recs.first.locator(".bar-lexical")).to_be_visible()  # shared title words, where the bundle has them
    shot(page, "03-video")


def test_balance_and_mode_reorder_the_list(page: Page, server: str):
    page.goto(f"{server}/?seed=2")
    page.locator("#videos .card-link").nth(3).click()
    expect(page.locator("#recs .card")).to_have_count(10)
    slider = page.get_by_label("Balance")
    status = page.locator("#rec-status")

    split = json.loads(slider.get_attribute("data-split"))  # title side: {"w_title": .5, "w_lexical": .5}
    api = f"{server}{page.locator('#rec-controls').get_attribute('data-api')}"

    def api_ids(balance: float) -> list[str]:
        weights = {"w_thumbnail": balance, **{name: share * (1 - balance) for name, share in split.items()}}
        return [i["page_url"] for i in httpx.get(api, params={"k": 10, **weights}).json()["items"]]

    slider.focus()
    page.keyboard.press("Home")  # keyboard only: all weight on the title side
    expect(status).to_contain_text("0% thumbnail, 100% title")
    expect(page.locator("#rec-controls .balance-out")).to_have_text("0% thumbnail · 100% title")
    by_title = card_ids(page)
    assert "balance=0" in page.url and by_title == api_ids(0.0)
    shot(page, "04-video-balance-title")

    page.keyboard.press("End")  # all weight on the thumbnail
    expect(status).to_contain_text("100% thumbnail, 0% title")
    by_thumbnail = card_ids(page)
    assert by_thumbnail != by_title and by_thumbnail == api_ids(1.0)
    expect(page.locator("#recs .card").first.locator(".bar-lexical")).to_be_visible()  # filled by app.js too
    # all weight on the thumbnail: the score is the thumbnail's contribution alone (with pool query
    # expansion that is no longer its raw similarity, which the bar shows)
    shown = [float(v) for v in page.locator("#recs .card [data-field=score]").all_text_contents()]
    items = httpx.get(api, params={"k": 10, **{"w_thumbnail": 1.0}, **dict.fromkeys(split, 0.0)}).json()["items"]
    assert all(abs(score - item["score"]) < 0.006 for score, item in zip(shown, items))
    for item in items:
        parts = item["contributions"]
        assert abs(parts["thumbnail"] - item["score"]) < 1e-4 and all(abs(v) < 1e-9 for m, v in parts.items() if m != "thumbnail")
    shot(page, "05-video-balance-thumbnail")

    page.get_by_role("radio", name="Title").check()
    expect(status).to_contain_text("title only")
    expect(slider).to_be_disabled()
    assert "mode=title" in page.url


def test_new_video_upload(page: Page, server: str, sample_bundle: SampleBundle):
    video = httpx.get(f"{server}/api/videos", params={"per_page": 1, "page": 5}).json()["items"][0]
    page.goto(f"{server}/new")
    page.get_by_label("Thumbnail image").set_input_files(str(sample_bundle.source_thumbnail(video["video_id"])))
    expect(page.locator("#new-preview")).to_be_visible()
    page.locator("#new-title").fill(video["title"])
    page.get_by_role("button", name="Recommend").click()
    recs = page.locator("#recs .card")
    expect(recs).to_have_count(10)
    expect(page.locator("#new-status")).to_contain_text("10 recommendations")
    expect(recs.first.locator(".bar-thumbnail .bar-value")).to_have_text("1.00")  # finds its own thumbnail
    shot(page, "06-new-video")

    page.get_by_label("Thumbnail image").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"}]
    )
    page.get_by_role("button", name="Recommend").click()
    expect(page.get_by_role("alert")).to_contain_text("not an image")
    expect(page.locator("#new-results")).to_be_hidden()
    shot(page, "07-new-video-error", full_page=False)


def test_phone_width_keyboard_and_scripts(browser: Browser, server: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/?seed=4")
        no_overflow = "() => document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(no_overflow)
        shot(page, "08-phone-home", full_page=False)

        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.locator("#filter-q")).to_be_focused()

        page.goto(f"{server}/?q=ගෙදරදීම")
        sinhala = page.locator("#videos .card-title").first
        sinhala.locator("xpath=ancestor::a").click()
        expect(page.locator("#recs .card")).to_have_count(10)
        assert page.evaluate(no_overflow)
        hero = page.locator(".hero-thumb img").bounding_box()
        assert hero["width"] / hero["height"] == pytest.approx(16 / 9, rel=0.02)
        shot(page, "09-phone-video", full_page=True)

        # Sinhala and Tamil glyphs come from the Noto fonts, not a fallback: text measured in
        # "Noto Sans X, monospace" differs from monospace alone only if the font is installed.
        for font, text in (("Noto Sans Sinhala", "ගෙදරදීම රසවත්"), ("Noto Sans Tamil", "தமிழ் செய்திகள்")):
            widths = page.evaluate(
                """([font, text]) => ['"' + font + '", monospace', 'monospace'].map(family => {
                    const span = document.createElement('span');
                    span.style.font = '20px ' + family;
                    span.textContent = text;
                    document.body.append(span);
                    const width = span.getBoundingClientRect().width;
                    span.remove();
                    return width;
                })""",
                [font, text],
            )
            assert widths[0] != widths[1], f"{font} is not installed (fonts-noto-core)"
    finally:
        context.close()
