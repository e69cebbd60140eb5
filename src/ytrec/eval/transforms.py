"""Edits a re-uploader makes to a thumbnail, for copy detection: each one mild, as seen on YouTube.

Every transform takes and returns a PIL RGB image and is deterministic. ``combined`` applies all
of them in turn, the hard case, with the larger crop only (two crops in a row are one larger crop).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

Transform = Callable[[Image.Image], Image.Image]

CROP_SHARE = 0.04  # of each side
LARGE_CROP_SHARE = 0.10  # of each side: 64% of the picture is left
JPEG_QUALITY = 25
OVERLAY_TEXT = "NEW! FULL VIDEO"


def rescale(img: Image.Image) -> Image.Image:
    """Half the width and height (a lower-resolution upload)."""
    return img.resize((img.width // 2, img.height // 2), Image.Resampling.BILINEAR)


def _crop(img: Image.Image, share: float) -> Image.Image:
    dx, dy = round(img.width * share), round(img.height * share)
    return img.crop((dx, dy, img.width - dx, img.height - dy))


def crop(img: Image.Image) -> Image.Image:
    return _crop(img, CROP_SHARE)


def crop_10(img: Image.Image) -> Image.Image:
    """10% off each side (a re-uploader cutting away a frame or a channel's border)."""
    return _crop(img, LARGE_CROP_SHARE)


def flip(img: Image.Image) -> Image.Image:
    """Mirrored left to right (a common trick against automatic copy detection)."""
    return ImageOps.mirror(img.convert("RGB"))


def jpeg(img: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    img.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def brightness_contrast(img: Image.Image) -> Image.Image:
    return ImageEnhance.Contrast(ImageEnhance.Brightness(img).enhance(1.2)).enhance(0.8)


def text_overlay(img: Image.Image) -> Image.Image:
    """A caption bar over the bottom fifth, the most common re-upload edit."""
    out = img.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    bar = round(out.height * 0.2)
    draw.rectangle((0, out.height - bar, out.width, out.height), fill=(200, 20, 20))
    font = ImageFont.load_default(size=max(8, round(bar * 0.6)))
    draw.text((round(out.width * 0.05), out.height - bar * 0.85), OVERLAY_TEXT, fill=(255, 255, 255), font=font)
    return out


def combined(img: Image.Image) -> Image.Image:
    for transform in (crop_10, flip, rescale, brightness_contrast, text_overlay, jpeg):
        img = transform(img)
    return img


TRANSFORMS: dict[str, Transform] = {
    "rescale": rescale,
    "crop": crop,
    "crop_10": crop_10,
    "flip": flip,
    "jpeg": jpeg,
    "brightness_contrast": brightness_contrast,
    "text_overlay": text_overlay,
    "combined": combined,
}
