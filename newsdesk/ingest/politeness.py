"""Per-host politeness: one request at a time and a pause between requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostThrottle:
    """Serialize requests per host and space them at least ``delay`` seconds apart.

    Thread-safe: the crawler fetches several sources at once, and two of them may
    live on the same host. Requests to different hosts never wait on each other.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last_done: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, delay: float) -> Iterator[None]:
        """Hold ``host`` for one request, first waiting out the delay since the last one."""
        key = host.lower()
        with self._lock_for(key):
            last = self._last_done.get(key)
            if last is not None:
                wait = last + delay - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                # Count the delay from the end of a request so a slow response
                # does not eat into the pause the host is owed.
                self._last_done[key] = self._clock()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())
