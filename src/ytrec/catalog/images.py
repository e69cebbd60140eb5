"""Thumbnail normalization: every accepted thumbnail is stored once, in one shape.

Policy (documented in the README): decode with Pillow, refuse anything over
``MAX_PIXELS`` before decoding (decompression bombs), composite transparency onto black,
convert to RGB, centre-crop to 16:9 and resize to 320x180 (YouTube's ``mqdefault`` size)
with Lanczos. The 16:9 centre crop removes exactly the black bars that YouTube bakes into
4:3 ``hqdefault`` (480x360) images of 16:9 videos, so both common sizes end up alike.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

THUMB_WIDTH = 320
THUMB_HEIGHT = 180
MAX_PIXELS = 40_000_000  # 40 MP: far above any real thumbnail, far below a bomb
JPEG_QUALITY = 90

ImageFile.LOAD_TRUNCATED_IMAGES = False


class ThumbnailError(ValueError):
    """Why one thumbnail was rejected: a stable ``code`` for the report plus a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def open_thumbnail(source: Path | bytes) -> Image.Image:
    """Decode and normalize one thumbnail, or raise ThumbnailError saying why it is unusable."""
    if isinstance(source, Path):
        if not source.is_file():
            raise ThumbnailError("missing_thumbnail", f"image file not found: {source}")
        data = source.read_bytes()
    else:
        data = source
    if not data:
        raise ThumbnailError("not_an_image", "image file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise ThumbnailError(
                        "decompression_bomb",
                        f"image is {width}x{height} pixels, over the {MAX_PIXELS:,}-pixel limit "
                        "(decompression bomb guard)"
                    )
                img.load()
                return normalize(img)
    except ThumbnailError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ThumbnailError("decompression_bomb", f"decompression bomb refused: {exc}") from None
    except UnidentifiedImageError:
        raise ThumbnailError("not_an_image", "not an image Pillow can read") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ThumbnailError("unreadable_image", f"unreadable or truncated image: {exc}") from None


def normalize(img: Image.Image) -> Image.Image:
    """RGB, 16:9 centre crop, 320x180."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        img = Image.alpha_composite(background, rgba)
    img = img.convert("RGB")
    width, height = img.size
    target_ratio = THUMB_WIDTH / THUMB_HEIGHT
    if width / height > target_ratio:
        crop_w = max(1, round(height * target_ratio))
        left = (width - crop_w) // 2
        box = (left, 0, left + crop_w, height)
    else:
        crop_h = max(1, round(width / target_ratio))
        top = (height - crop_h) // 2
        box = (0, top, width, top + crop_h)
    return img.resize((THUMB_WIDTH, THUMB_HEIGHT), Image.Resampling.LANCZOS, box=box)


def save_thumbnail(img: Image.Image, path: Path) -> None:
    img.save(path, format="JPEG", quality=JPEG_QUALITY)


def load_stored(path: Path) -> Image.Image:
    """Open a thumbnail that ingest already normalized (trusted, stored in a bundle)."""
    with Image.open(path) as img:
        return img.convert("RGB")
