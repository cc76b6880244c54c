"""Where recorded hits wait for the flusher: process memory, or a Redis list shared by processes.

Both buffers hand out one batch at a time and keep it "in flight" until it is
acknowledged, so a batch whose database write failed is handed out again
rather than lost::

    batch = buffer.take(500)      # the same batch again until ack()
    apply_batch(batch)
    buffer.ack()

Both cap their queue: past ``limit`` the oldest hits are dropped and counted.
In Redis, the in-flight batch sits in a per-flusher processing list; a
flusher that dies leaves it there and another flusher moves it back to the
queue once the dead one's heartbeat key has expired.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One request worth counting: a reader's view, or a filtered one (``reason`` set)."""

    ts: datetime
    kind: str = ""
    path: str = ""
    article_id: int | None = None
    visitor: str = ""
    referrer_host: str = ""
    device: str = ""
    browser: str = ""
    country: str = ""
    reason: str = ""

    @property
    def is_view(self) -> bool:
        return not self.reason

    def to_json(self) -> str:
        data: dict[str, Any] = {k: v for k, v in asdict(self).items() if v not in ("", None)}
        data["ts"] = self.ts.timestamp()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Hit:
        data = json.loads(raw)
        data["ts"] = datetime.fromtimestamp(data["ts"], tz=UTC)
        return cls(**data)


class HitBuffer(Protocol):
    def append(self, hit: Hit) -> int:
        """Queue a hit; return the number now waiting."""

    def take(self, count: int) -> list[Hit]:
        """Return the in-flight batch, or start one of at most ``count`` hits."""

    def ack(self) -> None:
        """Forget the in-flight batch: it is stored."""

    def pending(self) -> int:
        """Return the number of hits waiting, the in-flight batch included."""

    def dropped(self) -> int:
        """Return how many hits were dropped because the queue was full."""

    def clear(self) -> None:
        """Drop everything (tests)."""


class MemoryBuffer:
    """A thread-safe deque in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._queue: deque[Hit] = deque()
        self._in_flight: list[Hit] = []
        self._dropped = 0
        self._lock = threading.Lock()

    def append(self, hit: Hit) -> int:
        with self._lock:
            if len(self._queue) >= self.limit:
                self._queue.popleft()
                self._dropped += 1
                if self._dropped == 1 or self._dropped % 1000 == 0:
                    logger.warning(
                        "hit buffer full, dropping oldest",
                        extra={"limit": self.limit, "dropped": self._dropped},
                    )
            self._queue.append(hit)
            return len(self._queue)

    def take(self, count: int) -> list[Hit]:
        with self._lock:
            if not self._in_flight:
                size = min(count, len(self._queue))
                self._in_flight = [self._queue.popleft() for _ in range(size)]
            return list(self._in_flight)

    def ack(self) -> None:
        with self._lock:
            self._in_flight = []

    def pending(self) -> int:
        with self._lock:
            return len(self._queue) + len(self._in_flight)

    def dropped(self) -> int:
        return self._dropped

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._in_flight = []
            self._dropped = 0

    def hold(self) -> threading.Lock:
        """Return the lock that stops appends while held (the final flush at exit)."""
        return self._lock


# Append and drop the oldest past the cap in one round trip.
_APPEND = """
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
local limit = tonumber(ARGV[2])
if n > limit then
  redis.call('LPOP', KEYS[1], n - limit)
  redis.call('INCRBY', KEYS[2], n - limit)
  n = limit
end
return n
"""

# Move up to ARGV[1] hits from the queue to this flusher's processing list atomically.
_TAKE = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""

# Give a dead flusher's processing list back to the queue, at its head.
_RECOVER = """
local items = redis.call('LRANGE', KEYS[2], 0, -1)
for i = #items, 1, -1 do
  redis.call('LPUSH', KEYS[1], items[i])
end
redis.call('DEL', KEYS[2])
return #items
"""


class RedisBuffer:
    """A Redis list shared by every web process; each flusher owns a processing list."""

    heartbeat_seconds = 90
    recover_every = 30.0
    max_batch = 5000  # Lua's unpack() has a stack limit

    def __init__(self, url: str, limit: int, prefix: str = "newsdesk:hits") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.limit = max(1, limit)
        self.prefix = prefix
        self.token = uuid.uuid4().hex
        self.queue_key = f"{prefix}:queue"
        self.dropped_key = f"{prefix}:dropped"
        self.owners_key = f"{prefix}:owners"
        self.processing_key = self._processing_key(self.token)
        self._append = self.client.register_script(_APPEND)
        self._take = self.client.register_script(_TAKE)
        self._recover = self.client.register_script(_RECOVER)
        self._last_recovery = 0.0

    def _processing_key(self, token: str) -> str:
        return f"{self.prefix}:processing:{token}"

    def _alive_key(self, token: str) -> str:
        return f"{self.prefix}:alive:{token}"

    def append(self, hit: Hit) -> int:
        keys = [self.queue_key, self.dropped_key]
        return int(self._append(keys=keys, args=[hit.to_json(), self.limit]))

    def take(self, count: int) -> list[Hit]:
        self._beat()
        if time.monotonic() - self._last_recovery > self.recover_every:
            self.recover_orphans()
        raw = self.client.lrange(self.processing_key, 0, -1)
        if not raw:
            size = max(1, min(count, self.max_batch))
            raw = self._take(keys=[self.queue_key, self.processing_key], args=[size])
        return [Hit.from_json(item) for item in raw]

    def ack(self) -> None:
        self.client.delete(self.processing_key)

    def _beat(self) -> None:
        pipe = self.client.pipeline()
        pipe.sadd(self.owners_key, self.token)
        pipe.set(self._alive_key(self.token), "1", ex=self.heartbeat_seconds)
        pipe.execute()

    def recover_orphans(self) -> int:
        """Requeue the in-flight batches of flushers whose heartbeat has expired."""
        self._last_recovery = time.monotonic()
        moved = 0
        for raw_token in self.client.smembers(self.owners_key):
            token = raw_token.decode() if isinstance(raw_token, bytes) else str(raw_token)
            if token == self.token or self.client.exists(self._alive_key(token)):
                continue
            keys = [self.queue_key, self._processing_key(token)]
            moved += int(self._recover(keys=keys))
            self.client.srem(self.owners_key, token)
        if moved:
            logger.warning("requeued hits of a stopped flusher", extra={"hits": moved})
        return moved

    def pending(self) -> int:
        pipe = self.client.pipeline()
        pipe.llen(self.queue_key)
        pipe.llen(self.processing_key)
        queued, in_flight = pipe.execute()
        return int(queued) + int(in_flight)

    def dropped(self) -> int:
        return int(self.client.get(self.dropped_key) or 0)

    def clear(self) -> None:
        keys = list(self.client.scan_iter(match=f"{self.prefix}:*"))
        if keys:
            self.client.delete(*keys)
