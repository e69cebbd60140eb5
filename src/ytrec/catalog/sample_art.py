"""Pillow drawing of the sample catalog's thumbnails.

Each channel has a `Style` (palette, background, layout, scattered shapes, size) so its thumbnails
share a look the thumbnail autoencoder can learn; per-video randomness (colour jitter, positions,
text, extra shapes) keeps them from being copies. Some channels share a palette or a layout on
purpose, so telling channels apart by thumbnail alone is possible but not trivial.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

RGB = tuple[int, int, int]

BACKGROUNDS = ("gradient", "solid", "stripes", "noise", "radial")
SHAPES = ("circle", "triangle", "rect", "star", "bubble", "mountain", "none")


@dataclass(frozen=True)
class Palette:
    background: tuple[RGB, RGB]
    accent: RGB
    text: RGB


PALETTES: dict[str, Palette] = {
    "warm": Palette(((250, 160, 40), (190, 45, 25)), (255, 240, 200), (110, 25, 10)),
    "navy": Palette(((12, 25, 65), (40, 70, 135)), (205, 25, 35), (255, 255, 255)),
    "field": Palette(((50, 150, 65), (25, 95, 40)), (245, 245, 235), (25, 45, 130)),
    "neon": Palette(((10, 8, 28), (110, 0, 150)), (0, 245, 190), (255, 255, 255)),
    "pastel": Palette(((255, 205, 225), (195, 225, 255)), (255, 115, 80), (60, 55, 150)),
    "sunset": Palette(((95, 30, 125), (250, 115, 85)), (255, 215, 80), (255, 255, 255)),
    "clean": Palette(((238, 238, 242), (196, 202, 214)), (20, 115, 235), (25, 25, 35)),
    "sky": Palette(((95, 175, 240), (55, 150, 80)), (255, 255, 255), (20, 40, 60)),
    "sunny": Palette(((255, 215, 40), (255, 160, 0)), (225, 30, 60), (20, 20, 20)),
    "chalk": Palette(((32, 72, 52), (20, 48, 34)), (240, 228, 150), (250, 250, 250)),
    "cinema": Palette(((18, 10, 12), (120, 35, 30)), (230, 185, 115), (255, 235, 200)),
}

# Real channels are not perfectly consistent: this share of thumbnails uses a random layout.
OFF_STYLE_SHARE = 0.12
SKIN_TONES: tuple[RGB, ...] = ((141, 85, 36), (198, 134, 66), (224, 172, 105), (110, 68, 40))


@dataclass(frozen=True)
class Style:
    """How one channel's thumbnails look; sizes in pixels at 480 wide (scaled for smaller)."""

    palette: str
    background: str
    layout: str
    shape: str = "none"
    shape_size: tuple[int, int] = (12, 30)
    size: tuple[int, int] = (480, 360)
    # YouTube's 4:3 hqdefault of a 16:9 video: the picture between black bars. On by default, as
    # for most real videos: ingest's 16:9 centre crop then keeps the whole picture, captions too.
    letterbox: bool = True

    def __post_init__(self) -> None:
        for value, allowed in (
            (self.palette, PALETTES),
            (self.background, BACKGROUNDS),
            (self.layout, _LAYOUTS),
            (self.shape, SHAPES),
        ):
            if value not in allowed:
                raise ValueError(
                    f"unknown style value {value!r}; expected one of {sorted(allowed)}"
                )


@lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def _jitter(color: RGB, rng: random.Random, amount: int = 18) -> RGB:
    r, g, b = (min(255, max(0, c + rng.randint(-amount, amount))) for c in color)
    return r, g, b


def _background(kind: str, w: int, h: int, c1: RGB, c2: RGB, rng: random.Random) -> Image.Image:
    """Blend c1 -> c2 along a per-kind field t in [0, 1], then add film grain, as in real photos."""
    x = np.arange(w, dtype=np.float32)[None, :] / w
    y = np.arange(h, dtype=np.float32)[:, None] / h
    if kind == "gradient":
        angle = rng.uniform(0.2, 1.4)
        t = (x * math.cos(angle) + y * math.sin(angle)) / (math.cos(angle) + math.sin(angle))
    elif kind == "solid":
        t = np.broadcast_to(0.15 * y, (h, w))
    elif kind == "stripes":
        period, phase = rng.uniform(36, 48) / 480, rng.uniform(0, 0.1)
        t = 0.75 * (((x + y * h / w + phase) % period) < period / 2)
    elif kind == "noise":
        coarse = np.random.default_rng(rng.getrandbits(32)).random((6, 8), dtype=np.float32)
        t = np.asarray(Image.fromarray(coarse).resize((w, h), Image.BICUBIC)).clip(0, 1)
    else:  # radial: c2 in a glow around a point near the middle, c1 at the edges
        cx, cy = rng.uniform(0.35, 0.65), rng.uniform(0.35, 0.65)
        t = 1 - np.clip(np.hypot((x - cx) * w / h, y - cy) * 1.5, 0, 1)
    mask = Image.fromarray((t * 255).astype(np.uint8), "L")
    picture = Image.composite(Image.new("RGB", (w, h), c2), Image.new("RGB", (w, h), c1), mask)
    grain = Image.fromarray(
        np.random.default_rng(rng.getrandbits(32)).integers(0, 9, (h, w), dtype=np.uint8)
    )
    return ImageChops.add(picture, Image.merge("RGB", (grain, grain, grain)), offset=-4)


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    size: int,
    max_w: float,
    fill: RGB,
    outline: RGB | None = None,
) -> None:
    """Draw text shrunk until it fits max_w, so long dish or place names never run off the image."""
    while size > 10 and draw.textlength(text, font=_font(size)) > max_w:
        size = int(size * 0.9)
    # The bundled font has no bold face: a stroke in the fill colour thickens it instead.
    width = max(2, size // 14) if outline else max(1, size // 28)
    draw.text(
        xy,
        text,
        font=_font(size),
        fill=fill,
        anchor="mm",
        stroke_width=width,
        stroke_fill=outline or fill,
    )


def _shape(
    draw: ImageDraw.ImageDraw, kind: str, x: float, y: float, r: float, fill: tuple[int, ...]
) -> None:
    if kind in ("circle", "bubble"):
        box = (x - r, y - r, x + r, y + r)
        if kind == "circle":
            draw.ellipse(box, fill=fill)
        else:
            draw.ellipse(box, outline=fill, width=max(2, int(r / 6)))
    elif kind == "rect":
        draw.rounded_rectangle((x - r * 1.4, y - r, x + r * 1.4, y + r), radius=r / 4, fill=fill)
    elif kind == "triangle":
        draw.regular_polygon((x, y, r), 3, fill=fill)
    elif kind == "star":
        points = [
            (
                x + (r if i % 2 == 0 else r / 2.4) * math.cos(math.pi * i / 5 - math.pi / 2),
                y + (r if i % 2 == 0 else r / 2.4) * math.sin(math.pi * i / 5 - math.pi / 2),
            )
            for i in range(10)
        ]
        draw.polygon(points, fill=fill)
    elif kind == "mountain":
        draw.polygon([(x - r * 2.5, y + r * 3), (x, y), (x + r * 2.5, y + r * 3)], fill=fill)


def _scatter(
    draw: ImageDraw.ImageDraw, style: Style, w: int, h: int, color: RGB, rng: random.Random
) -> None:
    """A few translucent extras in the channel's shape, anywhere (mountains: on the horizon)."""
    lo, hi = style.shape_size
    for _ in range(rng.randint(1, 4)):
        r = rng.uniform(lo, hi) * w / 480
        y = rng.uniform(h * 0.55, h * 0.85) if style.shape == "mountain" else rng.uniform(0, h)
        fill = (*_jitter(color, rng, 30), rng.randint(110, 200))
        _shape(draw, style.shape, rng.uniform(0, w), y, r, fill)


def _face(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rng: random.Random) -> None:
    """A cartoon face: the big reaction face real thumbnails put next to their text."""
    skin = _jitter(rng.choice(SKIN_TONES), rng, 12)
    hair = _jitter((30, 22, 18), rng, 10)
    draw.ellipse((cx - r * 1.05, cy - r * 1.1, cx + r * 1.05, cy + r * 0.4), fill=hair)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=skin)
    look = rng.uniform(-0.06, 0.06) * r
    for side in (-1, 1):
        ex, ey = cx + side * r * 0.38, cy - r * 0.15
        draw.ellipse(
            (ex - r * 0.17, ey - r * 0.2, ex + r * 0.17, ey + r * 0.2), fill=(250, 250, 250)
        )
        draw.ellipse(
            (ex - r * 0.08 + look, ey - r * 0.08, ex + r * 0.08 + look, ey + r * 0.1),
            fill=(20, 15, 15),
        )
    if rng.random() < 0.5:  # surprised
        draw.ellipse((cx - r * 0.16, cy + r * 0.3, cx + r * 0.16, cy + r * 0.68), fill=(90, 20, 25))
    else:
        draw.chord(
            (cx - r * 0.45, cy + r * 0.05, cx + r * 0.45, cy + r * 0.65), 0, 180, fill=(90, 20, 25)
        )


@dataclass(frozen=True)
class _Canvas:
    """What every layout draws with: the picture, its size, this video's colours and randomness."""

    draw: ImageDraw.ImageDraw
    w: int
    h: int
    colors: Palette
    rng: random.Random

    @property
    def scale(self) -> float:
        return self.w / 480


def _banner(c: _Canvas, caption: str, at_top: bool) -> None:
    """A caption band across the top or bottom, a big round 'dish' in the space left."""
    band = c.h * c.rng.uniform(0.22, 0.3)
    top = 0 if at_top else c.h - band
    c.draw.rectangle((0, top, c.w, top + band), fill=c.colors.accent)
    _text(c.draw, (c.w / 2, top + band / 2), caption, int(band * 0.6), c.w * 0.9, c.colors.text)
    r = (c.h - band) * c.rng.uniform(0.3, 0.4)
    cx, cy = c.rng.uniform(r, c.w - r), (band if at_top else 0) + (c.h - band) / 2
    c.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*c.colors.accent, 220))
    inner = _jitter(c.colors.background[1], c.rng)
    c.draw.ellipse((cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7), fill=inner)


def _face_layout(c: _Canvas, caption: str, face_left: bool) -> None:
    """A big reaction face on one side, the caption in two outlined lines on the other."""
    r = c.h * c.rng.uniform(0.27, 0.33)
    cx = c.w * (c.rng.uniform(0.2, 0.28) if face_left else c.rng.uniform(0.72, 0.8))
    _face(c.draw, cx, c.h * c.rng.uniform(0.5, 0.6), r, c.rng)
    words = caption.split()
    half = (len(words) + 1) // 2
    tx = c.w * (0.72 if face_left else 0.28)
    for i, line in enumerate(filter(None, (" ".join(words[:half]), " ".join(words[half:])))):
        xy = (tx, c.h * (0.38 + 0.24 * i))
        _text(c.draw, xy, line, int(64 * c.scale), c.w * 0.48, c.colors.accent, (0, 0, 0))


def _split(c: _Canvas, caption: str) -> None:
    """A slanted split screen with one 'phone' per side: the comparison thumbnail."""
    s, mid = c.scale, c.w * c.rng.uniform(0.45, 0.55)
    right = [(mid + 30 * s, 0), (c.w, 0), (c.w, c.h), (mid - 30 * s, c.h)]
    c.draw.polygon(right, fill=(*c.colors.accent, 200))
    for px in (mid / 2, (mid + c.w) / 2):
        half_w, half_h, py = c.w * 0.08, c.h * c.rng.uniform(0.2, 0.25), c.h * 0.42
        body = (px - half_w, py - half_h, px + half_w, py + half_h)
        c.draw.rounded_rectangle(body, radius=12 * s, fill=(20, 20, 24))
        screen = (body[0] + 5 * s, body[1] + 8 * s, body[2] - 5 * s, body[3] - 8 * s)
        glow = _jitter(c.colors.background[c.rng.randint(0, 1)], c.rng, 40)
        c.draw.rounded_rectangle(screen, radius=6 * s, fill=glow)
    xy = (c.w / 2, c.h * 0.86)
    _text(c.draw, xy, caption, int(56 * s), c.w * 0.9, c.colors.text, c.colors.accent)


def _frame(c: _Canvas, caption: str) -> None:
    """A thick border and a big centred caption underlined: the 'board' look."""
    s, accent = c.scale, c.colors.accent
    border = int(c.rng.uniform(12, 20) * s)
    c.draw.rectangle((0, 0, c.w - 1, c.h - 1), outline=accent, width=border)
    c.draw.rectangle((border * 2, c.h * 0.62, c.w - border * 2, c.h * 0.62 + 4 * s), fill=accent)
    xy = (c.w / 2, c.h * c.rng.uniform(0.4, 0.48))
    _text(c.draw, xy, caption, int(70 * s), c.w * 0.82, c.colors.text, (0, 0, 0))


def _logo(c: _Canvas, caption: str) -> None:
    """A centred disc logo over the caption in a pill."""
    r = c.h * c.rng.uniform(0.22, 0.28)
    cx, cy = c.w / 2 + c.rng.uniform(-20, 20) * c.scale, c.h * 0.42
    for ratio, color in ((1, (20, 20, 28)), (0.35, c.colors.accent), (0.08, (20, 20, 28))):
        c.draw.ellipse((cx - r * ratio, cy - r * ratio, cx + r * ratio, cy + r * ratio), fill=color)
    half_w, half_h, py = c.w * 0.35, c.h * 0.08, c.h * 0.82
    pill = (c.w / 2 - half_w, py - half_h, c.w / 2 + half_w, py + half_h)
    c.draw.rounded_rectangle(pill, radius=half_h, fill=c.colors.accent)
    _text(c.draw, (c.w / 2, py), caption, int(half_h * 1.24), half_w * 1.8, c.colors.text)


_LAYOUTS: dict[str, Callable[[_Canvas, str], None]] = {
    "banner_top": partial(_banner, at_top=True),
    "banner_bottom": partial(_banner, at_top=False),
    "face_left": partial(_face_layout, face_left=True),
    "face_right": partial(_face_layout, face_left=False),
    "split": _split,
    "frame": _frame,
    "logo": _logo,
}


def draw_thumbnail(style: Style, caption: str, rng: random.Random) -> Image.Image:
    """One thumbnail in `style` with `caption` drawn on it; all randomness comes from `rng`."""
    w, h = style.size
    picture_h = w * 9 // 16 if style.letterbox else h
    base = PALETTES[style.palette]
    colors = Palette(
        (_jitter(base.background[0], rng, 28), _jitter(base.background[1], rng, 28)),
        _jitter(base.accent, rng, 12),
        base.text,
    )
    picture = _background(style.background, w, picture_h, *colors.background, rng)
    draw = ImageDraw.Draw(picture, "RGBA")
    if style.shape != "none":
        _scatter(draw, style, w, picture_h, colors.accent, rng)
    layout = style.layout
    if rng.random() < OFF_STYLE_SHARE:
        layout = rng.choice(sorted(_LAYOUTS))
    elif layout.startswith("face") and rng.random() < 0.25:
        layout = "face_right" if layout == "face_left" else "face_left"
    if (
        not layout.startswith("face") and rng.random() < 0.2
    ):  # the odd reaction face, under the text
        r = picture_h * 0.13
        cx, cy = rng.choice((r * 1.3, w - r * 1.3)), rng.uniform(r * 1.3, picture_h - r * 1.3)
        _face(draw, cx, cy, r, rng)
    _LAYOUTS[layout](_Canvas(draw, w, picture_h, colors, rng), caption)
    if not style.letterbox:
        return picture
    framed = Image.new("RGB", (w, h), (0, 0, 0))
    framed.paste(picture, (0, (h - picture_h) // 2))
    return framed
