"""The built-in sample catalog (`ytrec sample OUT`): the synthetic catalog demo and tests run on.

Real thumbnails and titles cannot ship with ytrec, so this draws a Sri Lankan-flavoured YouTube
catalog: channels with a topic, a title language mix (Sinhala, Tamil, English, mixed) and a
thumbnail style, so "same channel" is a learnable but imperfect notion of "similar" for both
modalities. Same seed, byte-identical files: tests and demos can rely on exact content.
"""

from __future__ import annotations

import csv
import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ytrec.catalog.sample_art import Style, draw_thumbnail
from ytrec.catalog.sample_titles import make_title

CSV_COLUMNS = ("video_id", "title", "thumbnail", "channel", "category", "published_at")
VIDEO_ID_ALPHABET = string.ascii_letters + string.digits + "-_"
# Two channels is the least that still gives "same channel" relevance something to tell apart;
# tests elsewhere use such tiny catalogs for speed. The defaults give the full mix.
MIN_CHANNELS = 2
JPEG_QUALITY = 88
_FIRST_DAY = datetime(2023, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = int((datetime(2026, 1, 1, tzinfo=UTC) - _FIRST_DAY).total_seconds())


@dataclass(frozen=True)
class ChannelSpec:
    """One sample channel: what it talks about, in which languages, and how its thumbnails look."""

    name: str
    topic: str  # a key of sample_titles.TOPICS
    category: str  # YouTube's category name
    languages: tuple[tuple[str, float], ...]  # (title language, share of its titles)
    style: Style

    @property
    def primary_language(self) -> str:
        return max(self.languages, key=lambda pair: pair[1])[0]


# Ordered so that the first few are already varied: small catalogs take a prefix of this list.
# Pairs share a palette (warm, navy, sunset, pastel) or a layout, and topics overlap (food,
# music, news), so neither thumbnails nor titles alone separate every channel.
SAMPLE_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        "Amma's Kitchen LK",
        "cooking",
        "Howto & Style",
        (("si", 0.75), ("en", 0.25)),
        Style("warm", "gradient", "banner_bottom", "circle", (10, 22)),
    ),
    ChannelSpec(
        "Seithi Vizhi",
        "news",
        "News & Politics",
        (("ta", 0.8), ("en", 0.2)),
        Style("navy", "gradient", "frame", "rect", (10, 20)),
    ),
    ChannelSpec(
        "Lion Cricket Zone",
        "cricket",
        "Sports",
        (("en", 0.5), ("si", 0.5)),
        Style("field", "stripes", "banner_top", "circle", (6, 12)),
    ),
    ChannelSpec(
        "Sarala Geetha",
        "music",
        "Music",
        (("si", 0.7), ("en", 0.3)),
        Style("sunset", "radial", "logo", "star", (6, 14)),
    ),
    ChannelSpec(
        "PixelPlay LK",
        "gaming",
        "Gaming",
        (("en", 0.7), ("si", 0.3)),
        Style("neon", "noise", "frame", "triangle", (14, 34), size=(320, 180)),
    ),
    ChannelSpec(
        "Ceylon Wanderer",
        "travel",
        "Travel & Events",
        (("en", 0.4), ("si", 0.3), ("ta", 0.3)),
        Style("sky", "gradient", "banner_top", "mountain", (30, 60)),
    ),
    ChannelSpec(
        "Kottu Trails",
        "street food",
        "Travel & Events",
        (("ta", 0.7), ("en", 0.3)),
        Style("warm", "noise", "split", "circle", (10, 24)),
    ),
    ChannelSpec(
        "Lanka News Now",
        "news",
        "News & Politics",
        (("si", 0.85), ("en", 0.15)),
        Style("navy", "solid", "banner_bottom", "rect", (10, 20)),
    ),
    ChannelSpec(
        "TechPahasu",
        "tech",
        "Science & Technology",
        (("si", 0.6), ("en", 0.4)),
        Style("clean", "solid", "split", "rect", (8, 16)),
    ),
    ChannelSpec(
        "Hinahoo Comedy",
        "comedy",
        "Entertainment",
        (("si", 0.8), ("en", 0.2)),
        Style("sunny", "solid", "face_left", "star", (10, 26)),
    ),
    ChannelSpec(
        "Padippom Academy",
        "education",
        "Education",
        (("ta", 0.8), ("en", 0.2)),
        Style("chalk", "solid", "frame", "bubble", (8, 18)),
    ),
    ChannelSpec(
        "Nisala Teledrama",
        "teledrama",
        "Entertainment",
        (("si", 0.9), ("en", 0.1)),
        Style("cinema", "radial", "face_right", letterbox=False),
    ),
    ChannelSpec(
        "Punchi Lokaya Kids",
        "kids",
        "Film & Animation",
        (("si", 0.5), ("ta", 0.3), ("en", 0.2)),
        Style("pastel", "stripes", "logo", "bubble", (14, 30)),
    ),
    ChannelSpec(
        "Isai Osai",
        "music",
        "Music",
        (("ta", 0.8), ("en", 0.2)),
        Style("sunset", "gradient", "face_right", "star", (8, 18)),
    ),
    ChannelSpec(
        "Nadee's Daily Life",
        "vlog",
        "People & Blogs",
        (("si", 0.6), ("en", 0.4)),
        Style("pastel", "noise", "face_left", "circle", (12, 28), size=(320, 180)),
    ),
)


def _video_ids(rng: random.Random, count: int) -> list[str]:
    ids: dict[str, None] = {}
    while len(ids) < count:
        ids["".join(rng.choice(VIDEO_ID_ALPHABET) for _ in range(11))] = None
    return list(ids)


def generate_sample(
    out_dir: Path, n_videos: int = 360, n_channels: int = 12, seed: int = 0
) -> Path:
    """Write `out_dir/catalog.csv` and `out_dir/thumbnails/<video_id>.jpg`; return the CSV path.

    Videos are split evenly over the first `n_channels` of SAMPLE_CHANNELS; rows are in
    publication order. Files already in `out_dir` with other names are left alone.
    """
    if not MIN_CHANNELS <= n_channels <= len(SAMPLE_CHANNELS):
        most = len(SAMPLE_CHANNELS)
        raise ValueError(f"n_channels must be between {MIN_CHANNELS} and {most}, got {n_channels}")
    if n_videos < n_channels:
        raise ValueError(f"n_videos must be at least n_channels ({n_channels}), got {n_videos}")
    out_dir = Path(out_dir)
    (out_dir / "thumbnails").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = iter(_video_ids(rng, n_videos))
    rows = []
    for index, channel in enumerate(SAMPLE_CHANNELS[:n_channels]):
        count = n_videos // n_channels + (index < n_videos % n_channels)
        times = sorted(
            _FIRST_DAY + timedelta(seconds=rng.randrange(_SPAN_SECONDS)) for _ in range(count)
        )
        first_episode = rng.randint(1, 120)
        languages, weights = zip(*channel.languages, strict=True)
        for episode, published in enumerate(times, start=first_episode):
            video_rng = random.Random(rng.getrandbits(64))
            language = video_rng.choices(languages, weights)[0]
            title, caption = make_title(
                channel.topic, language, channel.primary_language, video_rng, published, episode
            )
            video_id = next(ids)
            thumbnail = f"thumbnails/{video_id}.jpg"
            draw_thumbnail(channel.style, caption, video_rng).save(
                out_dir / thumbnail, "JPEG", quality=JPEG_QUALITY
            )
            stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append((video_id, title, thumbnail, channel.name, channel.category, stamp))
    rows.sort(key=lambda row: (row[5], row[0]))
    csv_path = out_dir / "catalog.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)
    return csv_path
