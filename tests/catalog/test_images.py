import io
from pathlib import Path

import pytest
from PIL import Image

from ytrec.catalog.images import MAX_PIXELS, THUMB_HEIGHT, THUMB_WIDTH, ThumbnailError, open_thumbnail


def _encoded(img: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(480, 360), (320, 180), (1280, 720), (100, 400)])
def test_any_size_becomes_320x180_rgb(size):
    out = open_thumbnail(_encoded(Image.new("RGB", size, (10, 200, 30)), "PNG"))
    assert out.size == (THUMB_WIDTH, THUMB_HEIGHT)
    assert out.mode == "RGB"


def test_hqdefault_letterbox_bars_are_cropped_away():
    # a 16:9 picture baked into a 4:3 480x360 frame with black bars, as YouTube does
    frame = Image.new("RGB", (480, 360), (0, 0, 0))
    frame.paste(Image.new("RGB", (480, 270), (250, 250, 250)), (0, 45))
    out = open_thumbnail(_encoded(frame, "JPEG"))
    top_row = [out.getpixel((x, 0)) for x in range(0, 320, 40)]
    assert all(min(p) > 200 for p in top_row)


def test_transparency_and_palette_and_grayscale_are_converted():
    for img in (Image.new("RGBA", (64, 36), (255, 0, 0, 0)), Image.new("L", (64, 36), 128), Image.new("P", (64, 36))):
        assert open_thumbnail(_encoded(img, "PNG")).mode == "RGB"


@pytest.mark.parametrize(
    "payload,code",
    [
        (b"", "not_an_image"),
        (b"this is plain text, not a picture", "not_an_image"),
    ],
)
def test_garbage_is_rejected(payload, code):
    with pytest.raises(ThumbnailError) as info:
        open_thumbnail(payload)
    assert info.value.code == code


def test_truncated_jpeg_is_rejected():
    data = _encoded(Image.effect_noise((320, 180), 60).convert("RGB"), "JPEG")
    with pytest.raises(ThumbnailError) as info:
        open_thumbnail(data[: len(data) // 2])
    assert info.value.code == "unreadable_image"


def test_decompression_bomb_is_refused_before_decoding():
    side = int(MAX_PIXELS**0.5) + 100
    data = _encoded(Image.new("1", (side, side)), "PNG")  # tiny file, huge canvas
    assert len(data) < 2_000_000
    with pytest.raises(ThumbnailError) as info:
        open_thumbnail(data)
    assert info.value.code == "decompression_bomb"


def test_missing_file(tmp_path: Path):
    with pytest.raises(ThumbnailError) as info:
        open_thumbnail(tmp_path / "nope.jpg")
    assert info.value.code == "missing_thumbnail"
