"""Hand out crawl work so that workers never queue up behind one host.

Every unit of work (a feed to fetch, an article page to fetch) is keyed by the
host it fetches from. ``take()`` gives a worker the next unit whose host is
free: no other unit of that host is fetching and its pause since the last
request is over. The worker calls ``release(host)`` as soon as its request is
done (before extracting or storing), and ``done()`` when the unit is finished.
A slow host thus holds one worker at most, and the others go on with other
hosts; hosts take turns, so one host with many units does not starve the rest.

The fetcher's own per-host throttle still guards every request (robots.txt
and redirects may reach other hosts); this queue only keeps workers from
waiting on it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class HostQueue(Generic[T]):
    """Units of work keyed by host, handed out one host at a time."""

    def __init__(self, spacing: float = 0.0, *, clock: Callable[[], float] = time.monotonic):
        self.spacing = spacing
        self._clock = clock
        self._cond = threading.Condition()
        self._units: dict[str, deque[T]] = {}
        # Hosts with waiting units and no unit in flight, in turn order, with
        # the earliest time each may be fetched again.
        self._free: dict[str, float] = {}
        self._held: set[str] = set()
        self._ready_at: dict[str, float] = {}
        self._outstanding = 0

    def put(self, host: str, unit: T, *, first: bool = False) -> None:
        """Queue ``unit`` for ``host``; ``first`` puts it ahead of the host's other units."""
        key = host.lower()
        with self._cond:
            queue = self._units.setdefault(key, deque())
            if first:
                queue.appendleft(unit)
            else:
                queue.append(unit)
            self._outstanding += 1
            if key not in self._held and key not in self._free:
                self._free[key] = self._ready_at.get(key, 0.0)
            self._cond.notify()

    def take(self) -> tuple[str, T] | None:
        """Wait for a unit whose host is free; None once every unit is done."""
        with self._cond:
            while True:
                if self._outstanding == 0:
                    return None
                now = self._clock()
                host = self._next_ready(now)
                if host is not None:
                    self._held.add(host)
                    return host, self._units[host].popleft()
                self._cond.wait(self._wait_time(now))

    def release(self, host: str) -> None:
        """Say that the request for ``host`` is over; its next unit may start after the pause."""
        key = host.lower()
        with self._cond:
            if key not in self._held:
                return
            self._held.discard(key)
            self._ready_at[key] = self._clock() + self.spacing
            if self._units.get(key):
                self._free[key] = self._ready_at[key]
            self._cond.notify_all()

    def done(self) -> None:
        """Say that a unit handed out by ``take()`` is finished (after any ``put`` it made)."""
        with self._cond:
            self._outstanding -= 1
            if self._outstanding == 0:
                self._cond.notify_all()

    @property
    def outstanding(self) -> int:
        with self._cond:
            return self._outstanding

    def _next_ready(self, now: float) -> str | None:
        for host, ready_at in self._free.items():
            if ready_at <= now:
                del self._free[host]
                return host
        return None

    def _wait_time(self, now: float) -> float | None:
        if not self._free:
            return None  # nothing to do until a release, a put or the last done()
        return max(0.0, min(self._free.values()) - now)
