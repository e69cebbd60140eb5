"""Thumbnail normalization: every accepted thumbnail is stored once, in one shape.

Policy (documented in the README): read at most ``MAX_FILE_BYTES``, decode with Pillow, refuse
anything over ``MAX_PIXELS`` before decoding (decompression bombs), turn it upright by its EXIF
orientation, scale 16-bit greyscale to 8 bits, composite transparency onto black, convert to RGB, centre-crop to 16:9 and resize to 320x180 (YouTube's ``mqdefault`` size)
with Lanczos. The 16:9 centre crop removes exactly the black bars that YouTube bakes into
4:3 ``hqdefault`` (480x360) images of 16:9 videos, so both common sizes end up alike.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

THUMB_WIDTH = 320
THUMB_HEIGHT = 180
MAX_PIXELS = 40_000_000  # 40 MP: far above any real thumbnail, far below a bomb
MAX_FILE_BYTES = 50 * 2**20  # read no more than this from an image file (a path may name anything)
JPEG_QUALITY = 90

ImageFile.LOAD_TRUNCATED_IMAGES = False


class ThumbnailError(ValueError):
    """Why one thumbnail was rejected: a stable ``code`` for the report plus a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def open_thumbnail(source: Path | bytes) -> Image.Image:
    """Decode and normalize one thumbnail, or raise ThumbnailError saying why it is unusable."""
    data = _read_image_file(source) if isinstance(source, Path) else source
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
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        raise ThumbnailError("unreadable_image", f"unreadable or truncated image: {exc}") from None


def _read_image_file(path: Path) -> bytes:
    if not path.is_file():
        raise ThumbnailError("missing_thumbnail", f"image file not found: {path}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:  # no permission, an I/O error, a /proc file that refuses reads
        raise ThumbnailError("unreadable_image", f"cannot read image file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ThumbnailError("file_too_large", f"image file {path} is over {MAX_FILE_BYTES // 2**20} MiB")
    return data


def normalize(img: Image.Image) -> Image.Image:
    """Upright (EXIF orientation applied), RGB, 16:9 centre crop, 320x180."""
    img = ImageOps.exif_transpose(img)
    img = _eight_bit(img)
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


def _eight_bit(img: Image.Image) -> Image.Image:
    """16-bit and float greyscale to 8 bits by range; Pillow's own conversion clips them to white."""
    if img.mode.startswith("I;16") or img.mode == "I":
        pixels = np.asarray(img, dtype=np.int64)
        return Image.fromarray((np.clip(pixels, 0, 65535) >> 8).astype(np.uint8), mode="L")
    if img.mode == "F":
        pixels = np.nan_to_num(np.asarray(img, dtype=np.float32), nan=0.0, posinf=255.0, neginf=0.0)
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    return img


def save_thumbnail(img: Image.Image, path: Path) -> None:
    img.save(path, format="JPEG", quality=JPEG_QUALITY)


def load_stored(path: Path) -> Image.Image:
    """Open a thumbnail that ingest already normalized (trusted, stored in a bundle)."""
    with Image.open(path) as img:
        return img.convert("RGB")
