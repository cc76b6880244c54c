"""Per-host politeness: one request at a time and a pause between requests.

Two implementations of one interface (``Throttle.slot``):

- HostThrottle keeps the turns in this process (threads share it). The default.
- RedisHostThrottle keeps them in Redis, so that every crawler process and
  Celery worker takes its turn on a host with the others. Used when
  NEWSDESK_REDIS_URL is set. A turn is a lock with a time to live: a worker
  killed while holding a host frees it when the lock expires (the fetch
  deadline plus a margin), never later.

The pause is counted from the end of a request, so a slow response does not
eat into the rest the host is owed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

from redis.exceptions import RedisError

from newsdesk.ingest.errors import NetworkError

if TYPE_CHECKING:
    from redis import Redis

# A lock outlives the longest request by this much, so a live holder never loses it.
LOCK_MARGIN = 10.0
# How often a waiting worker asks again whether a busy host is free.
POLL_SECONDS = 0.02


class Throttle(Protocol):
    """Gives out turns on a host."""

    def slot(self, host: str, delay: float, *, hold: float = 60.0) -> AbstractContextManager[None]:
        """Hold ``host`` for one request of at most ``hold`` seconds, ``delay`` after the last."""
        ...


class HostThrottle:
    """Serialize requests per host in this process and space them ``delay`` seconds apart.

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
    def slot(self, host: str, delay: float, *, hold: float = 60.0) -> Iterator[None]:
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
                self._last_done[key] = self._clock()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())


# Take the host's lock unless it is resting or held. Returns 0 when taken, the
# milliseconds of rest left while it rests, or -1 while another worker holds it.
_ACQUIRE = """
local rest = redis.call('PTTL', KEYS[2])
if rest > 0 then return rest end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
return -1
"""

# Start the host's rest, then free its lock if it is still ours (it may have expired).
_RELEASE = """
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class RedisHostThrottle:
    """Serialize requests per host across processes through Redis.

    Two keys per host: ``<prefix>:host:<host>:lock`` (held during a request,
    with a time to live) and ``<prefix>:host:<host>:rest`` (set for ``delay``
    when a request ends). Redis expires both, so no clock is shared between
    machines and nothing needs cleaning up.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "newsdesk:fetch",
        margin: float = LOCK_MARGIN,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._margin = margin
        self._sleep = sleep
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    @contextmanager
    def slot(self, host: str, delay: float, *, hold: float = 60.0) -> Iterator[None]:
        """Wait for the host's turn (its rest and any other holder), then hold it."""
        lock, rest = self._keys(host)
        token = uuid.uuid4().hex
        ttl_ms = int((hold + self._margin) * 1000)
        while True:
            answer = int(self._call(self._acquire, [lock, rest], [token, ttl_ms]))
            if answer == 0:
                break
            self._sleep(answer / 1000 if answer > 0 else POLL_SECONDS)
        try:
            yield
        finally:
            self._call(self._release, [lock, rest], [token, int(delay * 1000)])

    @staticmethod
    def _call(script: Callable[..., int], keys: list[str], args: list[object]) -> int:
        try:
            return script(keys=keys, args=args)
        except RedisError as error:
            raise NetworkError(f"shared host throttle (Redis) unavailable: {error}") from error

    def _keys(self, host: str) -> tuple[str, str]:
        base = f"{self._prefix}:host:{host.lower()}"
        return f"{base}:lock", f"{base}:rest"
