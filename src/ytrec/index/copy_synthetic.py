"""Synthetic copy codes for benchmarks at catalog sizes no real thumbnail set reaches (1M).

Shaped like real codes where it matters to an index: channels whose thumbnails share a template
(codes correlated around a channel's pattern, as same-style thumbnails are), re-uploads (a code
repeated with a few bits flipped and sometimes one strip replaced, as by a caption bar), and
queries holding all hypotheses of ``query_codes`` of which only one fits well.
"""

from __future__ import annotations

import numpy as np

from ytrec.index.copy_codes import CODE_BITS, CODE_BYTES, CROP_STEPS, SEARCHED_CROPS, STRIP_BYTES, STRIPS

VIDEOS_PER_CHANNEL = 200


def _flip_bits(codes: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``codes`` with each bit flipped with probability ``rate`` (one rate per row)."""
    noise = rng.random((len(codes), CODE_BITS), dtype=np.float32) < rate.reshape(-1, 1)
    return codes ^ np.packbits(noise, axis=1)


def _replace_strip(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``codes`` with one random strip of each replaced by random bits (an overlay)."""
    out = codes.copy()
    strips = rng.integers(0, STRIPS, len(codes))
    for offset in range(STRIP_BYTES):
        out[np.arange(len(codes)), strips * STRIP_BYTES + offset] = rng.integers(0, 256, len(codes), dtype=np.uint8)
    return out


def synthetic_copy_codes(n: int, seed: int = 0, duplicate_share: float = 0.02, chunk: int = 100_000) -> np.ndarray:
    """(n, 64) uint8 catalog codes: per channel a template, each video the template with 25-50% of
    its bits flipped (similarity to channel mates about 0-0.25, like real distinct thumbnails);
    ``duplicate_share`` of the rows re-upload an earlier row (1-6% of bits flipped, half of them
    also with one strip replaced: similarity 0.75-0.98)."""
    rng = np.random.default_rng(seed)
    channels = max(1, n // VIDEOS_PER_CHANNEL)
    templates = rng.integers(0, 256, (channels, CODE_BYTES), dtype=np.uint8)
    codes = np.empty((n, CODE_BYTES), dtype=np.uint8)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        channel = rng.integers(0, channels, size)
        codes[start : start + size] = _flip_bits(templates[channel], rng.uniform(0.25, 0.5, size), rng)
    copies = np.flatnonzero(rng.random(n) < duplicate_share)
    copies = copies[copies > 0]
    originals = (rng.random(len(copies)) * copies).astype(np.int64)  # an earlier row
    reuploads = _flip_bits(codes[originals], rng.uniform(0.01, 0.06, len(copies)), rng)
    overlaid = rng.random(len(copies)) < 0.5
    reuploads[overlaid] = _replace_strip(reuploads[overlaid], rng)
    codes[copies] = reuploads
    return codes


def synthetic_copy_queries(codes: np.ndarray, rows: np.ndarray, seed: int = 0) -> list[np.ndarray]:
    """One query per catalog row in ``rows``, shaped as ``query_codes`` makes them: one searched
    hypothesis fits (8% of bits flipped, one strip overlaid), the others are the picture at a
    wrong scale or mirrored (35-50% of bits flipped)."""
    rng = np.random.default_rng(seed)
    hypotheses = 2 * CROP_STEPS
    queries = []
    for row in np.asarray(rows):
        original = np.repeat(codes[row : row + 1], hypotheses, axis=0)
        rate = rng.uniform(0.35, 0.5, hypotheses)
        fits = int(rng.integers(0, 2 * len(SEARCHED_CROPS)))
        rate[fits] = 0.08
        query = _flip_bits(original, rate, rng)
        query[fits] = _replace_strip(query[fits : fits + 1], rng)[0]
        queries.append(query)
    return queries
