"""What one process read from the database lately, kept for a few seconds.

A hot path (a door scanner's token, a calendar client's poll) asks the same question many times
a second; ``Remembered`` keeps the answer for ``ttl`` seconds (``cachetools.TTLCache`` behind a
lock, so gunicorn's threaded workers can share it). Every process keeps its own: a change made
elsewhere is seen here at the latest when the entry expires, so whoever uses it says what a
``ttl``-old answer may do and what it must not.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """Up to ``size`` values by key, each for ``ttl`` seconds after it was put (the oldest
    goes first when full). ``ttl`` 0 keeps nothing: every ``get`` misses."""

    def __init__(self, ttl: float, size: int, timer: Callable[[], float] = time.monotonic):
        self._entries: TTLCache[K, V] | None = TTLCache(size, ttl, timer=timer) if ttl > 0 else None
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe

    def get(self, key: K) -> V | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries[key] = value

    def clear(self) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.clear()
