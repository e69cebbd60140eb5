"""Model work (encoding an upload, a new title, a search text) on its own thread, bounded.

Plain reads never touch the models and run on the event loop; encoding requests queue here
instead, so a burst of uploads never holds up recommendations for catalog videos. The models are
not documented as thread-safe (a Hugging Face fast tokenizer can raise "Already borrowed" when two
threads share it), so one thread runs them, one call at a time. Past ``capacity`` admitted calls
(running + waiting) a request is refused at once with 503 and ``Retry-After`` instead of queueing
without bound.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from ytrec.api.errors import ServerBusy

T = TypeVar("T")
M = TypeVar("M")
RETRY_AFTER_S = 1


class EncodingPool:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._admitted = 0
        self._count_lock = threading.Lock()
        # held while a model runs: the pool's thread, a write's encoding and a reload's warm-up share it
        self.model_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ytrec-encode")

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` on the encoding thread, awaited without blocking the event loop."""
        with self._slot():
            return await asyncio.wrap_future(self._executor.submit(self._locked, fn, *args))

    def run_blocking(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the calling (threadpool) thread, admitted and serialised like ``run``."""
        with self._slot():
            return self._locked(fn, *args)

    def admitted_call(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the calling thread, counted like ``run`` but holding no model: for a
        write, whose model calls go through ``locked`` one at a time, so the encoding thread is
        not held up while the write waits for the bundle's lock or publishes."""
        with self._slot():
            return fn(*args)

    def locked(self, model: M) -> M:
        """``model`` with every method call taking the model lock."""
        return LockedModel(model, self.model_lock)  # type: ignore[return-value]

    @property
    def admitted(self) -> int:
        return self._admitted

    def _locked(self, fn: Callable[..., T], *args: object) -> T:
        with self.model_lock:
            return fn(*args)

    @contextmanager
    def _slot(self) -> Iterator[None]:
        with self._count_lock:
            if self._admitted >= self.capacity:
                raise ServerBusy(
                    f"{self._admitted} encoding requests are already running or waiting on this worker; "
                    f"retry in {RETRY_AFTER_S} s", retry_after=RETRY_AFTER_S)
            self._admitted += 1
        try:
            yield
        finally:
            with self._count_lock:
                self._admitted -= 1


class LockedModel:
    """A loaded model whose method calls each hold ``lock``; other attributes read through."""

    def __init__(self, model: object, lock: threading.Lock) -> None:
        self._model = model
        self._lock = lock

    def __getattr__(self, name: str) -> object:
        value = getattr(self._model, name)
        if not callable(value):
            return value

        def call(*args: object, **kwargs: object) -> object:
            with self._lock:
                return value(*args, **kwargs)

        return call
