"""At most ``cap`` results per channel, so one prolific channel cannot fill a list."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def cap_per_channel(order: Sequence[int] | np.ndarray, channels: Sequence[str | None] | np.ndarray, cap: int) -> list[int]:
    """``order`` with every candidate past its channel's ``cap``-th dropped; no channel, no cap.

    ``channels``: each candidate's channel, as labels (None: no channel) or as integer codes
    (negative: no channel), which is what the Recommender passes.
    """
    if cap < 1:
        raise ValueError(f"channel cap must be at least 1, got {cap}")
    order = np.asarray(order, dtype=np.int64)
    codes = channel_codes(channels)[order]
    # the occurrence number of each candidate within its channel, in list order
    by_channel = np.argsort(codes, kind="stable")
    grouped = codes[by_channel]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(grouped) else np.zeros(0, np.int64)
    occurrence = np.empty(len(codes), dtype=np.int64)
    occurrence[by_channel] = np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    return order[(codes < 0) | (occurrence < cap)].tolist()


def channel_codes(channels: Sequence[str | None] | np.ndarray) -> np.ndarray:
    """Integer codes of channel labels (-1 for None); integer arrays pass through."""
    if isinstance(channels, np.ndarray) and channels.dtype.kind in "iu":
        return channels.astype(np.int64, copy=False)
    index: dict[str, int] = {}
    return np.array([-1 if c is None else index.setdefault(c, len(index)) for c in channels], dtype=np.int64)
