"""robots.txt rules per origin, following RFC 9309 (Robots Exclusion Protocol).

The fetcher loads ``/robots.txt`` once per origin (scheme, host and port,
RFC 9309 §2.3) and keeps the verdict for a while. What the status of that
request means (RFC 9309 §2.3.1):

- 2xx: parse the file and obey the group that matches our product token (§2.2.1).
- 4xx "unavailable" (§2.3.1.3): the site has no rules for us; allow everything,
  401 and 403 included.
- 5xx or a network failure "unreachable" (§2.3.1.4): assume everything is
  disallowed, and ask again sooner than usual.

Parsing uses protego, which implements RFC 9309 matching: the longest
matching rule wins, Allow wins a tie (§2.2.2), and ``*`` and ``$`` are
understood. ``Crawl-delay`` (not in the RFC, but widely written) is honoured
up to MAX_CRAWL_DELAY when it is longer than the host delay.

Verdicts are kept in a store: in this process by default (MemoryRobotsStore),
or in Redis (RedisRobotsStore) so that every crawler process shares them. A
verdict is kept for NEWSDESK_FETCH_ROBOTS_TTL seconds, or for the server's own
``Cache-Control: max-age`` when it gives one, and never for more than 24 hours
(§2.4).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx
from protego import Protego
from redis.exceptions import RedisError

from newsdesk.ingest.errors import BlockedError, NetworkError

if TYPE_CHECKING:
    from redis import Redis

ROBOTS_AGENT = "Newsdesk"
# Parsers must read at least 500 KiB (RFC 9309 §2.5); anything past it may be ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# A cached robots.txt must not be used for more than 24 hours (RFC 9309 §2.4).
ROBOTS_MAX_TTL = 24 * 3600.0
ROBOTS_TTL = 3600.0
# A server's own max-age is honoured, but not below this: a burst of page
# fetches must not ask for robots.txt again between every page.
ROBOTS_MIN_TTL = 300.0
# An unreachable robots.txt blocks the whole site: retry sooner than a good one.
UNREACHABLE_TTL = 600.0
# A Crawl-delay past this would park a crawler thread for good; cap it.
MAX_CRAWL_DELAY = 60.0

RulesKind = Literal["file", "unavailable", "unreachable"]
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\b", re.IGNORECASE)


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt allows, and why."""

    kind: RulesKind
    reason: str = ""  # empty when the rules come from a parsed file
    text: str = ""  # the robots.txt file, for kind "file"
    max_age: float | None = None  # from the answer's Cache-Control, if any

    @property
    def unreachable(self) -> bool:
        return self.kind == "unreachable"

    def allows(self, url: str, agent: str = ROBOTS_AGENT) -> bool:
        if self.kind == "unreachable":
            return False
        if self.kind == "unavailable":
            return True
        return _parse(self.text).can_fetch(url, agent)

    def crawl_delay(self, agent: str = ROBOTS_AGENT) -> float:
        """Return the Crawl-delay for ``agent`` in seconds (0 when none), capped."""
        if self.kind != "file":
            return 0.0
        delay = _parse(self.text).crawl_delay(agent) or 0.0
        return min(max(delay, 0.0), MAX_CRAWL_DELAY)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> RobotsRules:
        data: dict[str, Any] = json.loads(raw)
        return cls(**data)


@lru_cache(maxsize=256)
def _parse(text: str) -> Protego:
    # Rules are checked on every hop; parse each distinct file once.
    return Protego.parse(text)


def parse_robots(body: bytes, max_age: float | None = None) -> RobotsRules:
    """Parse a robots.txt body (UTF-8, RFC 9309 §2.3) into rules."""
    text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    return RobotsRules(kind="file", text=text, max_age=max_age)


def rules_from_response(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> RobotsRules:
    """Turn the answer to a robots.txt request into rules (RFC 9309 §2.3.1)."""
    max_age = cache_max_age(headers or {})
    if 200 <= status < 300:
        return parse_robots(body, max_age)
    if 500 <= status < 600:
        return unreachable_rules(f"HTTP {status}")
    # 4xx, and anything else that is not a file: "unavailable" (§2.3.1.3).
    return RobotsRules(kind="unavailable", reason=f"no robots.txt (HTTP {status})", max_age=max_age)


def unreachable_rules(why: str) -> RobotsRules:
    """Rules for a robots.txt that could not be read: disallow all (RFC 9309 §2.3.1.4)."""
    return RobotsRules(kind="unreachable", reason=f"robots.txt unreachable ({why})")


def cache_max_age(headers: Mapping[str, str]) -> float | None:
    """Read how long the server lets us keep the answer (RFC 9111 §5.2.2.1), if it says."""
    control = headers.get("cache-control", "")
    if _NO_CACHE.search(control):
        return 0.0
    match = _MAX_AGE.search(control)
    return float(match.group(1)) if match else None


def robots_url(url: str) -> str:
    """Return the robots.txt URL for the origin of ``url``."""
    return str(httpx.URL(url).copy_with(path="/robots.txt", query=None, fragment=None))


def keep_for(rules: RobotsRules, ttl: float, unreachable_ttl: float) -> float:
    """Return how many seconds to keep ``rules`` (never past 24 hours, RFC 9309 §2.4)."""
    if rules.unreachable:
        return min(unreachable_ttl, ROBOTS_MAX_TTL)
    if rules.max_age is not None:
        return min(max(rules.max_age, ROBOTS_MIN_TTL), ROBOTS_MAX_TTL)
    return min(max(ttl, 0.0), ROBOTS_MAX_TTL)


class RobotsStore(Protocol):
    """Where robots.txt verdicts are kept between fetches."""

    def get(self, key: str) -> RobotsRules | None:
        """Return the rules kept under ``key``, or None when absent or expired."""
        ...

    def put(self, key: str, rules: RobotsRules, ttl: float) -> None:
        """Keep ``rules`` under ``key`` for ``ttl`` seconds."""
        ...


class MemoryRobotsStore:
    """Keep verdicts in this process (the default without NEWSDESK_REDIS_URL)."""

    prune_above = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._guard = threading.Lock()
        self._entries: dict[str, tuple[RobotsRules, float]] = {}

    def get(self, key: str) -> RobotsRules | None:
        with self._guard:
            entry = self._entries.get(key)
        if entry is None or self._clock() >= entry[1]:
            return None
        return entry[0]

    def put(self, key: str, rules: RobotsRules, ttl: float) -> None:
        now = self._clock()
        with self._guard:
            if len(self._entries) > self.prune_above:
                self._entries = {k: e for k, e in self._entries.items() if e[1] > now}
            self._entries[key] = (rules, now + ttl)


class RedisRobotsStore:
    """Keep verdicts in Redis, shared by every crawler process; Redis expires them."""

    def __init__(self, client: Redis, *, prefix: str = "newsdesk:fetch") -> None:
        self._client = client
        self._prefix = prefix

    def get(self, key: str) -> RobotsRules | None:
        try:
            raw = self._client.get(self._key(key))
        except RedisError as error:
            raise NetworkError(f"shared robots.txt cache (Redis) unavailable: {error}") from error
        if raw is None:
            return None
        try:
            return RobotsRules.from_json(raw)
        except (ValueError, TypeError):
            return None  # written by another version: load the file again

    def put(self, key: str, rules: RobotsRules, ttl: float) -> None:
        try:
            self._client.set(self._key(key), rules.to_json(), px=max(1, int(ttl * 1000)))
        except RedisError as error:
            raise NetworkError(f"shared robots.txt cache (Redis) unavailable: {error}") from error

    def _key(self, key: str) -> str:
        return f"{self._prefix}:robots:{key}"


class RobotsCache:
    """Load robots.txt once per origin and answer whether a URL may be fetched.

    ``load`` takes a robots.txt URL and returns its rules; the fetcher passes a
    function that requests it through its own client. Thread-safe: concurrent
    checks for one origin in this process wait for a single load.
    """

    def __init__(
        self,
        load: Callable[[str], RobotsRules],
        *,
        ttl: float = ROBOTS_TTL,
        unreachable_ttl: float = UNREACHABLE_TTL,
        clock: Callable[[], float] = time.monotonic,
        store: RobotsStore | None = None,
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._unreachable_ttl = unreachable_ttl
        self._store: RobotsStore = store if store is not None else MemoryRobotsStore(clock)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def rules_for(self, url: str, *, ttl: float | None = None) -> RobotsRules:
        """Return the rules of the origin of ``url``, loading them when stale."""
        key = robots_url(url)
        with self._lock_for(key):
            rules = self._store.get(key)
            if rules is None:
                rules = self._load(key)
                keep = keep_for(rules, self._ttl if ttl is None else ttl, self._unreachable_ttl)
                if keep > 0:
                    self._store.put(key, rules, keep)
            return rules

    def check(self, url: str, agent: str = ROBOTS_AGENT, *, ttl: float | None = None) -> float:
        """Raise BlockedError unless robots.txt lets ``agent`` fetch ``url``; return its delay."""
        rules = self.rules_for(url, ttl=ttl)
        if not rules.allows(url, agent):
            why = f" ({rules.reason})" if rules.reason else ""
            raise BlockedError(f"robots.txt disallows {url}{why}")
        return rules.crawl_delay(agent)

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())
