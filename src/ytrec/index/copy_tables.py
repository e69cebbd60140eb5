"""Multi-index hashing over copy codes: find the rows that share a 16-bit chunk with a query.

Why not a graph (HNSW) or clusters (IVF): codes of unrelated pictures are close to independent
bits, all about 256 bits apart, so a graph or a coarse quantizer has no gradient to follow (a
binary HNSW found 53-88% of noisy copies among 100k synthetic codes). A copy, on the other hand,
differs in a few percent of the bits of most strips, so some of its 32 chunks of 16 bits are
unchanged (at 6% flipped bits, each chunk survives with p = 0.37; all 24 chunks of 6 strips miss
with p < 1e-4). Each chunk position is one table: the rows sorted by their chunk value, with an
offset per value (CSR), so a lookup is two array reads.

Small catalogs also probe the values 1 bit away (``radius``), as long as the expected number of
candidates stays within ``CANDIDATE_BUDGET`` (up to about 25,000 rows); larger ones probe exact
values only. Buckets
far larger than a random code's (a flat strip gives the same chunk to every flat picture) are
skipped: they say nothing about which picture it is.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ytrec.index.copy_codes import CODE_BYTES

CHUNK_BITS = 16
TABLES = CODE_BYTES * 8 // CHUNK_BITS  # 32
VALUES = 1 << CHUNK_BITS
CANDIDATE_BUDGET = 4096  # expected candidates per query, bounding the probe radius
BUCKET_CAP_FACTOR = 64  # skip buckets this many times fuller than average (and over 64 rows)
MAX_RADIUS = 1  # radius 2 is 137 lookups per chunk: slower than the candidates it saves


def chunks(codes: np.ndarray) -> np.ndarray:
    """(n, TABLES) chunk values of codes (little-endian 16-bit words: the same on every machine)."""
    return np.ascontiguousarray(codes, dtype=np.uint8).view("<u2")


def build_tables(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, offsets): ``rows[t]`` the row numbers sorted by chunk t (int32), ``offsets[t, v]``
    where chunk value v starts in ``rows[t]`` (``offsets[t, VALUES]`` = n)."""
    values = chunks(codes)
    rows = np.empty((TABLES, len(values)), dtype=np.int32)
    offsets = np.zeros((TABLES, VALUES + 1), dtype=np.int64)
    for t in range(TABLES):
        column = np.ascontiguousarray(values[:, t])
        rows[t] = np.argsort(column, kind="stable")
        offsets[t, 1:] = np.cumsum(np.bincount(column, minlength=VALUES))
    return rows, offsets


def _flip_masks(radius: int) -> np.ndarray:
    masks = [0]
    for r in range(1, radius + 1):
        masks += [sum(1 << b for b in bits) for bits in combinations(range(CHUNK_BITS), r)]
    return np.array(masks, dtype=np.int64)


_MASKS = {r: _flip_masks(r) for r in range(MAX_RADIUS + 1)}


def radius_for(n: int, hypotheses: int) -> int:
    """The widest probe radius whose expected candidates stay within the budget (0 at least)."""
    for radius in range(MAX_RADIUS, 0, -1):
        if hypotheses * TABLES * len(_MASKS[radius]) * n / VALUES <= CANDIDATE_BUDGET:
            return radius
    return 0


def candidates(rows: np.ndarray, offsets: np.ndarray, hypotheses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unique rows, votes): rows sharing a chunk (within the radius) with any hypothesis code,
    and how many (hypothesis, table, probe) lookups found each."""
    n = rows.shape[1]
    if n == 0 or not len(hypotheses):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    masks = _MASKS[radius_for(n, len(hypotheses))]
    values = chunks(hypotheses).astype(np.int64)[:, :, None] ^ masks[None, None, :]  # (h, tables, probes)
    table = np.broadcast_to(np.arange(TABLES)[None, :, None], values.shape).ravel()
    values = values.ravel()
    starts, ends = offsets[table, values], offsets[table, values + 1]
    cap = max(64, BUCKET_CAP_FACTOR * n // VALUES)
    sizes = ends - starts
    useful = (sizes > 0) & (sizes <= cap)
    starts, sizes, table = starts[useful], sizes[useful], table[useful]
    if not len(sizes):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # positions start..start+size-1 of every bucket, in one gather
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)
    positions = np.repeat(starts, sizes) + np.arange(int(sizes.sum())) - first
    found = rows[np.repeat(table, sizes), positions]
    unique, votes = np.unique(found, return_counts=True)
    return unique.astype(np.int64), votes
