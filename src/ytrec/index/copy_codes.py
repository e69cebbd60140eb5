"""Thumbnail copy codes: 64 bytes that say "is this the same picture?", with no training.

Why a separate signal: the autoencoder describes *style* (what a channel's thumbnails look like),
so a re-upload with a caption bar, a crop or a flip is often ranked below look-alikes of the same
channel. These codes are model-free, so their similarity has the same scale in every bundle and
one duplicate threshold holds everywhere (``signals.thumbnail_copy``).

The code (512 bits): the central 80% of the thumbnail (a re-upload cropped by up to 10% a side
still shows all of it), in grey at 64x32, cut into 8 horizontal strips of 64x4 pixels. Each strip
gives 64 bits: the signs of its 63 lowest-frequency 2-D DCT coefficients (signs do not change
when brightness or contrast do) and whether its mean is above the median strip mean. Byte ``j``
belongs to strip ``j // 8``.

Similarity: per strip, the share of differing bits; the 2 worst strips are ignored (a caption bar
or a logo covers one or two), the rest averaged; ``1 - 2 * share``, clipped to [0, 1]: 1 for the
same picture, about 0 for unrelated ones (independent bits differ half the time).

Queries hold several hypotheses (``query_codes``): the picture as if cropped by 0 to 10% a side,
each also mirrored; a query's similarity to a row is that of its best hypothesis. A stored code
is mirrored without its picture (``with_mirror``: mirroring negates the odd horizontal frequencies
of every strip, a fixed bit mask), which is exact except in flat strips, whose coefficients are
zero and stay 0 bits either way; queries therefore mirror their grey grids before the DCT.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy.fft import dctn

REGION = 0.8  # share of width and height a code describes (centred)
WIDTH, HEIGHT, STRIPS = 64, 32, 8
STRIP_HEIGHT = HEIGHT // STRIPS
BITS_PER_STRIP = 64
CODE_BITS = STRIPS * BITS_PER_STRIP  # 512
CODE_BYTES = CODE_BITS // 8  # 64
STRIP_BYTES = BITS_PER_STRIP // 8
FLAT = 0.5  # a coefficient below this (grey levels, orthonormal DCT) is rounding noise: bit 0
KEEP_STRIPS = STRIPS - 2  # strips that count: the 2 most different are ignored (overlays)
CROP_STEPS = 9  # crop hypotheses, 0 to 10% a side (every 1.25%)
SEARCHED_CROPS = tuple(range(0, CROP_STEPS, 2))  # searched through the index (every 2.5%); all rescore


def _coefficient_order() -> np.ndarray:
    """The 63 lowest-frequency AC coefficients of a strip, lowest total frequency first."""
    fy, fx = np.meshgrid(np.arange(STRIP_HEIGHT), np.arange(WIDTH), indexing="ij")
    order = np.lexsort((fx.ravel(), (fx + fy).ravel()))
    return order[order != 0][: BITS_PER_STRIP - 1]


_COEFFICIENTS = _coefficient_order()
# mirroring a strip multiplies its DCT coefficient of horizontal frequency fx by (-1)**fx
_ODD = np.append((_COEFFICIENTS % WIDTH) % 2 == 1, False)  # the mean bit does not change
FLIP_MASK = np.packbits(np.tile(_ODD, STRIPS))


def _grey(img: Image.Image, share: float) -> np.ndarray:
    """(HEIGHT, WIDTH) float32 grey levels of the centred ``share`` of a grey picture (the crop
    is symmetric, so a mirrored picture gives the mirrored grid)."""
    dx, dy = round(img.width * (1 - share) / 2), round(img.height * (1 - share) / 2)
    box = (dx, dy, img.width - dx, img.height - dy)
    return np.asarray(img.resize((WIDTH, HEIGHT), Image.Resampling.BOX, box=box), dtype=np.float32)


def _codes(grids: np.ndarray) -> np.ndarray:
    """(n, 64) uint8 codes of (n, HEIGHT, WIDTH) grey grids."""
    strips = grids.reshape(len(grids), STRIPS, STRIP_HEIGHT, WIDTH)
    spectra = dctn(strips, axes=(2, 3), norm="ortho").reshape(len(grids), STRIPS, -1)
    means = spectra[:, :, 0]
    above = means > np.median(means, axis=1, keepdims=True)
    bits = np.concatenate([spectra[:, :, _COEFFICIENTS] > FLAT, above[:, :, None]], axis=2)
    return np.packbits(bits.reshape(len(grids), CODE_BITS), axis=1)


def copy_codes(images: list[Image.Image]) -> np.ndarray:
    """(N, 64) uint8 catalog codes of normalized thumbnails (what a store holds per video)."""
    if not images:
        return np.zeros((0, CODE_BYTES), dtype=np.uint8)
    return _codes(np.stack([_grey(img.convert("L"), REGION) for img in images]))


def crop_shares() -> list[float]:
    """Shares of a query picture that the catalog region covers, if it was cropped 0..10% a side."""
    return [REGION / (1 - 2 * crop) for crop in np.linspace(0.0, (1 - REGION) / 2, CROP_STEPS)]


def query_codes(img: Image.Image) -> np.ndarray:
    """(2 * CROP_STEPS, 64) uint8 hypothesis codes of one normalized query picture: each crop
    hypothesis, then each mirrored. The first ``2 * len(SEARCHED_CROPS)`` are the searched ones."""
    shares = crop_shares()
    order = list(SEARCHED_CROPS) + [i for i in range(CROP_STEPS) if i not in SEARCHED_CROPS]
    grey = img.convert("L")
    plain = np.stack([_grey(grey, shares[i]) for i in order])
    mirrored = plain[:, :, ::-1]
    n = len(SEARCHED_CROPS)
    return _codes(np.concatenate([plain[:n], mirrored[:n], plain[n:], mirrored[n:]]))


def searched_hypotheses(query: np.ndarray) -> np.ndarray:
    """The hypotheses of a query that go through the index (all of a short query)."""
    return query[: 2 * len(SEARCHED_CROPS)]


def with_mirror(codes: np.ndarray) -> np.ndarray:
    """(2n, 64): catalog codes as queries, as they are and mirrored (a flipped re-upload)."""
    return np.concatenate([codes, codes ^ FLIP_MASK])


def _strip_words(codes: np.ndarray) -> np.ndarray:
    """(STRIPS, n) uint64: each code's strips as 64-bit words, strip-major (contiguous per strip)."""
    words = np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64)
    return np.ascontiguousarray(words.T)


def strip_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(STRIPS, len(a), len(b)) uint8 differing bits per strip between two sets of codes (a strip
    is one 64-bit word: one XOR, one popcount). Strips come first so that trimming them works on
    whole contiguous planes, not on rows of 8."""
    return np.bitwise_count(_strip_words(a)[:, :, None] ^ _strip_words(b)[:, None, :])


def kept_distances(distances: np.ndarray) -> np.ndarray:
    """Differing bits in the KEEP_STRIPS = STRIPS - 2 closest strips (first axis: strips): the
    total less the two largest, found by a tournament of elementwise max/min over halves of the
    strips (three rounds for 8) instead of a sort of every row of 8."""
    half = len(distances) // 2
    top = np.maximum(distances[:half], distances[half:])
    second = np.minimum(distances[:half], distances[half:])
    while len(top) > 1:
        half = len(top) // 2
        low, high = top[:half], top[half:]
        second = np.maximum(np.minimum(low, high), np.maximum(second[:half], second[half:]))
        top = np.maximum(low, high)
    return distances.sum(axis=0, dtype=np.uint16) - top[0] - second[0]


# similarity of every possible kept distance: 1 - 2 x the differing share, clipped to [0, 1]
_SIMILARITY = np.clip(1.0 - 2.0 * np.arange(CODE_BITS + 1) / (KEEP_STRIPS * BITS_PER_STRIP), 0.0, 1.0).astype(np.float32)


def best_similarity(hypotheses: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(len(codes),) similarity of a query (its best hypothesis) to each catalog code."""
    if not len(codes) or not len(hypotheses):
        return np.zeros(len(codes), dtype=np.float32)
    return _SIMILARITY[kept_distances(strip_distances(hypotheses, codes)).min(axis=0)]


def cross_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) similarities of catalog codes to catalog codes, each pair also with the
    first mirrored (a flipped re-upload inside the catalog): a code as a ``with_mirror`` query."""
    n = len(a)
    kept = kept_distances(strip_distances(with_mirror(a), b))  # plain rows, then mirrored
    return _SIMILARITY[np.minimum(kept[:n], kept[n:])]


def pairwise_similarity(codes: np.ndarray) -> np.ndarray:
    """(n, n) similarities among catalog codes (``cross_similarity`` of the codes with themselves);
    symmetric, 1 on the diagonal."""
    return cross_similarity(codes, codes)
