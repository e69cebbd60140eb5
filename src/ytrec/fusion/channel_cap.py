"""At most ``cap`` results per channel, so one prolific channel cannot fill a list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def cap_per_channel(order: Sequence[int], channels: Sequence[str | None], cap: int) -> list[int]:
    """``order`` with every candidate past its channel's ``cap``-th dropped; no channel, no cap."""
    if cap < 1:
        raise ValueError(f"channel cap must be at least 1, got {cap}")
    seen: Counter[str] = Counter()
    kept = []
    for i in order:
        channel = channels[i]
        if channel is not None:
            if seen[channel] >= cap:
                continue
            seen[channel] += 1
        kept.append(i)
    return kept
