"""Cheap thumbnail descriptors that need no training, to see whether the autoencoder earns its cost.

Each maps PIL images (already normalized to 320x180 RGB) to L2-normalized float32 rows, so the
inner product ranks like the descriptor's own distance:

- ``colour_histogram``: joint RGB histogram, 8 bins a channel, square-rooted (Hellinger), so
  cosine is the Bhattacharyya coefficient of the colour distributions.
- ``tiny_pixels``: the image downscaled to 16x9 RGB, mean removed: global layout and colour.
- ``phash``: the perceptual hash (DCT of a 32x32 grayscale image; signs of the 8x8 lowest
  frequencies against their median), as a ±1 vector over 8, so cosine = 1 - 2·Hamming/64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image
from scipy.fft import dctn

Descriptor = Callable[[Sequence[Image.Image]], np.ndarray]


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def colour_histogram(images: Sequence[Image.Image], bins: int = 8) -> np.ndarray:
    rows = []
    for img in images:
        pixels = np.asarray(img.convert("RGB"), dtype=np.int64).reshape(-1, 3) * bins // 256
        codes = (pixels[:, 0] * bins + pixels[:, 1]) * bins + pixels[:, 2]
        rows.append(np.sqrt(np.bincount(codes, minlength=bins**3) / len(codes)))
    return _unit(np.array(rows))


def tiny_pixels(images: Sequence[Image.Image], size: tuple[int, int] = (16, 9)) -> np.ndarray:
    rows = [np.asarray(img.convert("RGB").resize(size, Image.Resampling.BOX), dtype=np.float32).ravel() for img in images]
    rows = np.array(rows)
    return _unit(rows - rows.mean(axis=1, keepdims=True))


def phash(images: Sequence[Image.Image]) -> np.ndarray:
    rows = []
    for img in images:
        gray = np.asarray(img.convert("L").resize((32, 32), Image.Resampling.LANCZOS), dtype=np.float32)
        low = dctn(gray, norm="ortho")[:8, :8].ravel()
        rows.append(np.where(low > np.median(low), 1.0, -1.0) / 8.0)
    return np.array(rows, dtype=np.float32)


DESCRIPTORS: dict[str, Descriptor] = {
    "colour_histogram": colour_histogram,
    "tiny_pixels": tiny_pixels,
    "phash": phash,
}
