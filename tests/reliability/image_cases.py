"""Generated image bytes and what ingest must make of them, for the fuzzing tests and script.

An image case is a small picture in some mode (RGB, RGBA, greyscale, palette with transparency,
CMYK, 16-bit, 1-bit), saved in some format (JPEG, PNG, GIF, WebP, BMP, TIFF), maybe animated,
maybe with an EXIF orientation, then maybe damaged (truncated, bytes flipped, garbage in front, a
header declaring a gigantic size, replaced by random bytes) and handed to ingest as bytes (as a
dataset row) or as a file with a right or wrong extension. Ingest must accept it as a 320x180 RGB
thumbnail (intact pictures always; EXIF-rotated ones upright) or skip the row with an image code.
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from PIL import Image

from ytrec.catalog.columns import ColumnMap
from ytrec.catalog.images import THUMB_HEIGHT, THUMB_WIDTH
from ytrec.catalog.ingest import ingest
from ytrec.catalog.rows import RawRow, SourceRows

IMAGE_CODES = {"not_an_image", "unreadable_image", "decompression_bomb", "file_too_large"}
MODES = ["RGB", "RGBA", "L", "LA", "P", "P+transparency", "CMYK", "I;16", "1"]
FORMATS = ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"]
DAMAGE = ["none", "none", "none", "truncate", "flip", "garbage_prefix", "huge_declared", "random", "empty"]
EXTENSIONS = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".txt", ""]
# EXIF orientation -> the operation that turns the stored pixels upright (Pillow's exif_transpose)
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
INVERSE = {Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270}


@dataclass
class ImageCase:
    mode: str
    size: tuple[int, int]
    fmt: str
    frames: int
    orientation: int  # 1 = none
    damage: str
    damage_at: float  # where truncation / flips happen, as a share of the file
    noise: bytes  # random bytes for "random" / "garbage_prefix" / flipped values
    as_file: str | None  # extension of the file handed to ingest; None: bytes (a dataset row)
    data: bytes = b""
    intact: bool = True


@st.composite
def image_cases(draw) -> ImageCase:
    orientation = draw(st.sampled_from([1, 1, 1, 2, 3, 4, 5, 6, 7, 8]))
    fmt = draw(st.sampled_from(["JPEG", "PNG", "WEBP"] if orientation != 1 else FORMATS))
    mode = "RGB" if orientation != 1 else draw(st.sampled_from(MODES))
    size = (64, 36) if orientation != 1 else (draw(st.integers(1, 96)), draw(st.integers(1, 96)))
    case = ImageCase(
        mode=mode, size=size, fmt=fmt,
        frames=draw(st.sampled_from([1, 1, 3])) if fmt in ("GIF", "WEBP", "PNG") and orientation == 1 else 1,
        orientation=orientation, damage=draw(st.sampled_from(DAMAGE)),
        damage_at=draw(st.floats(0.0, 1.0)), noise=draw(st.binary(min_size=1, max_size=64)),
        as_file=draw(st.one_of(st.none(), st.sampled_from(EXTENSIONS))),
    )
    case.data = _damaged(case, _picture_bytes(case))
    case.intact = case.damage == "none"
    return case


def marker_picture(size: tuple[int, int]) -> Image.Image:
    """Upright: the top-left quadrant red, the rest blue (so a wrong rotation shows)."""
    pixels = np.zeros((size[1], size[0], 3), np.uint8)
    pixels[..., 2] = 220
    pixels[: size[1] // 2, : size[0] // 2] = (230, 20, 20)
    return Image.fromarray(pixels)


def _picture(case: ImageCase, shift: int = 0) -> Image.Image:
    if case.orientation != 1:
        upright = marker_picture(case.size)
        op = UPRIGHT[case.orientation]
        return upright.transpose(INVERSE.get(op, op))  # stored so that applying `op` makes it upright
    rng = np.random.default_rng(case.size[0] * 131 + case.size[1] + shift)
    rgb = Image.fromarray(rng.integers(0, 256, (case.size[1], case.size[0], 3), dtype=np.uint8))
    if case.mode == "I;16":
        return Image.fromarray(np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
    if case.mode == "P+transparency":
        palette = rgb.convert("P")
        palette.info["transparency"] = 0
        return palette
    return rgb.convert(case.mode)


def _picture_bytes(case: ImageCase) -> bytes:
    frames = [_picture(case, shift) for shift in range(case.frames)]
    params: dict[str, object] = {}
    if case.frames > 1:
        params.update(save_all=True, append_images=frames[1:], duration=40, loop=0)
    if case.orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = case.orientation
        params["exif"] = exif.tobytes()
    if case.mode == "P+transparency" and case.fmt in ("PNG", "GIF"):
        params["transparency"] = 0
    for attempt in (frames, [f.convert("RGB") for f in frames]):  # some formats cannot hold a mode
        buffer = io.BytesIO()
        try:
            if case.frames > 1:
                params["append_images"] = attempt[1:]
            attempt[0].save(buffer, format=case.fmt, **params)
            return buffer.getvalue()
        except (OSError, ValueError, KeyError, TypeError):
            params.pop("transparency", None)
    raise AssertionError(f"cannot write a {case.mode} {case.fmt} picture")  # generator bug, not ingest's


def _huge_declared(case: ImageCase, data: bytes) -> bytes:
    if data.startswith(b"\x89PNG"):  # IHDR width/height, with the chunk CRC recomputed
        ihdr = bytearray(data[16:29])
        ihdr[0:8] = struct.pack(">II", 60_000, 60_000)
        return data[:16] + bytes(ihdr) + struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr))) + data[33:]
    if data.startswith(b"GIF"):  # logical screen width/height
        return data[:6] + struct.pack("<HH", 65_000, 65_000) + data[10:]
    return data


def _damaged(case: ImageCase, data: bytes) -> bytes:
    at = int(case.damage_at * len(data))
    if case.damage == "truncate":
        return data[:at]
    if case.damage == "flip":
        damaged = bytearray(data)
        for offset, value in enumerate(case.noise[:8]):
            damaged[(at + offset * 97) % len(damaged)] ^= value or 0xFF
        return bytes(damaged)
    if case.damage == "garbage_prefix":
        return case.noise + data
    if case.damage == "huge_declared":
        return _huge_declared(case, data)
    if case.damage == "random":
        return case.noise
    if case.damage == "empty":
        return b""
    return data


def _declares_a_bomb(case: ImageCase) -> bool:
    return case.damage == "huge_declared" and case.fmt in ("PNG", "GIF")


GOOD_ROW_IMAGE = io.BytesIO()
Image.new("RGB", (48, 27), (10, 120, 200)).save(GOOD_ROW_IMAGE, format="PNG")


def check_image_case(case: ImageCase) -> str:
    """Ingest the case's image as row 1 beside a good row 2; returns "accepted" or the skip code.

    Raises AssertionError on a broken promise; any other exception is a crash.
    """
    with tempfile.TemporaryDirectory(prefix="ytrec-fuzz-image-") as folder:
        root = Path(folder)
        image: Path | bytes = case.data
        if case.as_file is not None:
            image = root / f"picture{case.as_file}"
            image.write_bytes(case.data)
        rows = [RawRow(1, {"video_id": "fuzzed", "title": "fuzzed image"}, image=image),
                RawRow(2, {"video_id": "good", "title": "good image"}, image=GOOD_ROW_IMAGE.getvalue())]
        catalog, report = ingest(SourceRows("fuzz", rows, has_thumbnails=True), ColumnMap(), root / "out")
        assert catalog.video_ids[-1] == "good" and report.total_rows == 2
        if catalog.video_ids[0] != "fuzzed":
            (skipped,) = report.skipped
            assert skipped.row == 1 and skipped.reason in IMAGE_CODES, skipped
            assert not case.intact, f"an intact {case.mode} {case.fmt} picture was refused: {skipped.detail}"
            if _declares_a_bomb(case):
                assert skipped.reason == "decompression_bomb", skipped
            return skipped.reason
        assert not report.skipped
        assert not _declares_a_bomb(case), "a picture declaring 3.6 gigapixels was accepted"
        assert case.damage not in ("empty",), "empty bytes were accepted"
        with Image.open(root / "out" / catalog.record(0)["thumb"]) as stored:
            assert stored.size == (THUMB_WIDTH, THUMB_HEIGHT) and stored.mode == "RGB"
            if case.orientation != 1 and case.intact:
                pixels = np.asarray(stored, dtype=np.int32)
                top_left, bottom_right = pixels[THUMB_HEIGHT // 4, THUMB_WIDTH // 4], pixels[-THUMB_HEIGHT // 4, -THUMB_WIDTH // 4]
                assert top_left[0] > 150 and top_left[2] < 100, f"orientation {case.orientation}: top-left {top_left}"
                assert bottom_right[2] > 150 and bottom_right[0] < 100, f"orientation {case.orientation}: {bottom_right}"
        return "accepted"
