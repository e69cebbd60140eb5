"""The sample catalog: shape of the files, determinism, script mix, and channel styles."""

from __future__ import annotations

import csv
import hashlib
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytrec.catalog.sample import CSV_COLUMNS, SAMPLE_CHANNELS, generate_sample
from ytrec.catalog.sample_titles import TOPICS, make_title

YOUTUBE_CATEGORIES = {
    "Entertainment",
    "Music",
    "Sports",
    "Gaming",
    "News & Politics",
    "Education",
    "Science & Technology",
    "Travel & Events",
    "Howto & Style",
    "People & Blogs",
    "Film & Animation",
}
SINHALA = re.compile("[\u0d80-\u0dff]")
TAMIL = re.compile("[\u0b80-\u0bff]")
LATIN = re.compile("[A-Za-z]")
STYLES = {channel.name: channel.style for channel in SAMPLE_CHANNELS}


def _read(csv_path: Path) -> list[dict[str, str]]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    csv_path = generate_sample(tmp_path_factory.mktemp("sample"))
    return csv_path, _read(csv_path)


def test_default_catalog_has_columns_counts_and_categories(sample):
    csv_path, rows = sample
    assert csv_path.name == "catalog.csv"
    assert csv_path.read_text(encoding="utf-8").splitlines()[0] == ",".join(CSV_COLUMNS)
    assert len(rows) == 360
    per_channel = Counter(row["channel"] for row in rows)
    assert len(per_channel) == 12 and set(per_channel.values()) == {30}
    assert set(per_channel) == {channel.name for channel in SAMPLE_CHANNELS[:12]}
    assert {row["category"] for row in rows} <= YOUTUBE_CATEGORIES
    assert all(row["title"].strip() and "{" not in row["title"] for row in rows)


def test_video_ids_are_unique_youtube_like_and_name_their_thumbnail(sample):
    _, rows = sample
    ids = [row["video_id"] for row in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{11}", video_id) for video_id in ids)
    assert all(row["thumbnail"] == f"thumbnails/{row['video_id']}.jpg" for row in rows)


def test_thumbnails_are_jpegs_at_the_channel_size(sample):
    csv_path, rows = sample
    assert len(list((csv_path.parent / "thumbnails").iterdir())) == len(rows)
    for row in rows:
        with Image.open(csv_path.parent / row["thumbnail"]) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert image.size == STYLES[row["channel"]].size
    sizes = {STYLES[row["channel"]].size for row in rows}
    assert sizes == {(480, 360), (320, 180)}  # hqdefault and mqdefault, as YouTube serves them


def test_published_at_is_utc_iso_over_2023_to_2025_in_order(sample):
    _, rows = sample
    stamps = [row["published_at"] for row in rows]
    assert stamps == sorted(stamps)
    years = {datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").year for stamp in stamps}
    assert years == {2023, 2024, 2025}


def test_titles_mix_sinhala_tamil_and_english(sample):
    _, rows = sample
    titles = [row["title"] for row in rows]

    def share(test: Callable[[str], object]) -> float:
        return sum(bool(test(title)) for title in titles) / len(titles)

    assert share(SINHALA.search) >= 0.15
    assert share(TAMIL.search) >= 0.15
    assert share(lambda t: not SINHALA.search(t) and not TAMIL.search(t)) >= 0.15
    assert share(lambda t: SINHALA.search(t) and not LATIN.search(t)) > 0.03
    assert share(lambda t: TAMIL.search(t) and not LATIN.search(t)) > 0.03
    assert share(lambda t: SINHALA.search(t) and LATIN.search(t)) > 0.1  # mixed, as real ones are
    by_channel: dict[str, list[str]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], []).append(row["title"])
    mostly_latin = [
        name
        for name, ts in by_channel.items()
        if sum(bool(LATIN.search(t)) for t in ts) > len(ts) / 2
    ]
    assert len(mostly_latin) >= 0.75 * len(by_channel)


def _orthography_errors(text: str) -> list[str]:
    """Vowel signs without a consonant, and Sinhala conjuncts missing their zero-width joiner."""
    errors = []
    for before, char in pairwise(" " + text):
        code, prev = ord(char), ord(before)
        si_sign = code == 0x0DCA or 0x0DCF <= code <= 0x0DDF or code in (0x0DF2, 0x0DF3)
        ta_sign = 0x0BBE <= code <= 0x0BCD or code == 0x0BD7
        if si_sign and not 0x0D9A <= prev <= 0x0DC6:
            errors.append(f"Sinhala sign U+{code:04X} after U+{prev:04X}")
        if ta_sign and not 0x0B95 <= prev <= 0x0BB9:
            errors.append(f"Tamil sign U+{code:04X} after U+{prev:04X}")
        if code == 0x200D and prev != 0x0DCA:
            errors.append("zero-width joiner not after al-lakuna")
    # දුම්රිය ("train") is the one word here spelled with a visible al-lakuna before ර.
    if re.search("\u0dca[\u0dba\u0dbb]", text.replace("දුම්රිය", "")):
        errors.append("yansaya/rakaransaya written without zero-width joiner")
    return errors


def test_titles_are_well_formed_unicode(sample):
    _, rows = sample
    for row in rows:
        assert unicodedata.is_normalized("NFC", row["title"]), row["title"]
        assert not _orthography_errors(row["title"]), row["title"]
    # ක්රිකට් without its zero-width joiner:
    assert _orthography_errors("\u0d9a\u0dca\u0dbb\u0dd2\u0d9a\u0da7\u0dca")
    assert not _orthography_errors("ක්‍රිකට් கிரிக்கெட்")


@pytest.mark.parametrize("channel", SAMPLE_CHANNELS, ids=lambda channel: channel.name)
def test_every_channel_language_yields_titles(channel):
    day = datetime(2024, 5, 1, tzinfo=UTC)
    for language, _ in channel.languages:
        assert language in TOPICS[channel.topic].templates
        for draw in range(60):  # these 60 seeded draws format every template at least once
            title, caption = make_title(
                channel.topic, language, channel.primary_language, random.Random(draw), day, 7
            )
            assert title and caption and not _orthography_errors(title)


def test_same_seed_is_byte_identical_and_another_seed_differs(tmp_path):
    first = generate_sample(tmp_path / "a", n_videos=30, n_channels=10, seed=7).parent
    again = generate_sample(tmp_path / "b", n_videos=30, n_channels=10, seed=7).parent
    other = generate_sample(tmp_path / "c", n_videos=30, n_channels=10, seed=8).parent
    assert _digests(first) == _digests(again)
    assert (first / "catalog.csv").read_bytes() != (other / "catalog.csv").read_bytes()


def test_small_catalogs_take_the_first_channels(tmp_path):
    rows = _read(generate_sample(tmp_path, n_videos=5, n_channels=2))
    assert Counter(row["channel"] for row in rows) == {
        SAMPLE_CHANNELS[0].name: 3,
        SAMPLE_CHANNELS[1].name: 2,
    }


@pytest.mark.parametrize(
    ("n_videos", "n_channels", "message"),
    [
        (360, 1, "n_channels must be between 2 and"),
        (360, len(SAMPLE_CHANNELS) + 1, "n_channels must be between 2 and"),
        (9, 10, "n_videos must be at least n_channels"),
    ],
)
def test_invalid_arguments_raise_before_writing(tmp_path, n_videos, n_channels, message):
    with pytest.raises(ValueError, match=message):
        generate_sample(tmp_path / "out", n_videos=n_videos, n_channels=n_channels)
    assert not (tmp_path / "out").exists()


def test_channels_share_some_palettes_and_layouts_but_no_whole_style():
    styles = [channel.style for channel in SAMPLE_CHANNELS]
    whole = {(s.palette, s.background, s.layout, s.shape, s.size) for s in styles}
    assert len(whole) == len(styles)
    assert len({s.palette for s in styles}) < len(styles)
    assert len({s.layout for s in styles}) < len(styles)


def _tiny_pixels(path: Path) -> np.ndarray:
    """A 16x12 colour thumbnail of the thumbnail: layout and palette, no detail."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB").resize((16, 12)), np.float32).ravel() / 255


def test_thumbnails_look_alike_within_a_channel_more_than_across(sample):
    csv_path, rows = sample
    features = np.stack([_tiny_pixels(csv_path.parent / row["thumbnail"]) for row in rows])
    channels = np.array([row["channel"] for row in rows])
    names = sorted(set(channels))
    centroids = np.stack([features[channels == name].mean(axis=0) for name in names])
    correct = 0
    for i, feature in enumerate(features):  # leave-one-out nearest centroid
        own = names.index(channels[i])
        members = channels == channels[i]
        held_out = centroids.copy()
        held_out[own] = (features[members].sum(axis=0) - feature) / (members.sum() - 1)
        correct += int(np.argmin(np.linalg.norm(held_out - feature, axis=1)) == own)
    assert correct / len(rows) >= 0.8
    for name in names:  # recognisable, yet no thumbnail is just its channel's average look
        spread = np.linalg.norm(features[channels == name] - centroids[names.index(name)], axis=1)
        assert spread.min() > 0.3
    assert len(set(_digests(csv_path.parent / "thumbnails").values())) == len(rows)
