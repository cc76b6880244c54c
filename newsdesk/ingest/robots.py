"""robots.txt rules per origin, following RFC 9309 (Robots Exclusion Protocol).

The fetcher loads ``/robots.txt`` once per origin (scheme, host and port,
RFC 9309 §2.3) and keeps the verdict for a while. What the status of that
request means (RFC 9309 §2.3.1):

- 2xx: parse the file and obey the group that matches our product token (§2.2.1).
- 4xx "unavailable" (§2.3.1.3): the site has no rules for us; allow everything,
  401 and 403 included.
- 5xx or a network failure "unreachable" (§2.3.1.4): assume everything is
  disallowed, and ask again sooner than usual.

Parsing uses ``urllib.robotparser``, which predates RFC 9309: it applies the
first matching rule instead of the longest (§2.2.2), knows no ``*`` or ``$``
patterns, and ends a group at a blank line. Sites written for the common
crawlers rarely depend on these differences.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

import httpx

from newsdesk.ingest.errors import BlockedError

ROBOTS_AGENT = "Newsdesk"
# Parsers must read at least 500 KiB (RFC 9309 §2.5); anything past it may be ignored.
ROBOTS_MAX_BYTES = 512 * 1024
# A cached robots.txt must not be used for more than 24 hours (RFC 9309 §2.4).
ROBOTS_TTL = 3600.0
# An unreachable robots.txt blocks the whole site: retry sooner than a good one.
UNREACHABLE_TTL = 600.0


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt allows, and why."""

    reason: str  # empty when the rules come from a parsed file
    allow_all: bool = False
    parser: RobotFileParser | None = None
    unreachable: bool = False

    def allows(self, url: str, agent: str = ROBOTS_AGENT) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(agent, url)


def parse_robots(body: bytes) -> RobotsRules:
    """Parse a robots.txt body (UTF-8, RFC 9309 §2.3) into rules."""
    text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(reason="", parser=parser)


def rules_from_response(status: int, body: bytes) -> RobotsRules:
    """Turn the answer to a robots.txt request into rules (RFC 9309 §2.3.1)."""
    if 200 <= status < 300:
        return parse_robots(body)
    if 500 <= status < 600:
        return unreachable_rules(f"HTTP {status}")
    # 4xx, and anything else that is not a file: "unavailable" (§2.3.1.3).
    return RobotsRules(reason=f"no robots.txt (HTTP {status})", allow_all=True)


def unreachable_rules(why: str) -> RobotsRules:
    """Rules for a robots.txt that could not be read: disallow all (RFC 9309 §2.3.1.4)."""
    return RobotsRules(reason=f"robots.txt unreachable ({why})", unreachable=True)


def robots_url(url: str) -> str:
    """Return the robots.txt URL for the origin of ``url``."""
    return str(httpx.URL(url).copy_with(path="/robots.txt", query=None, fragment=None))


@dataclass
class _Entry:
    rules: RobotsRules
    loaded_at: float


class RobotsCache:
    """Load robots.txt once per origin and answer whether a URL may be fetched.

    ``load`` takes a robots.txt URL and returns its rules; the fetcher passes a
    function that requests it through its own client. Thread-safe: concurrent
    checks for one origin wait for a single load.
    """

    def __init__(
        self,
        load: Callable[[str], RobotsRules],
        *,
        ttl: float = ROBOTS_TTL,
        unreachable_ttl: float = UNREACHABLE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._unreachable_ttl = unreachable_ttl
        self._clock = clock
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, _Entry] = {}

    def rules_for(self, url: str) -> RobotsRules:
        """Return the rules of the origin of ``url``, loading them when stale."""
        key = robots_url(url)
        with self._lock_for(key):
            entry = self._entries.get(key)
            if entry is None or self._expired(entry):
                entry = _Entry(self._load(key), self._clock())
                self._entries[key] = entry
            return entry.rules

    def check(self, url: str, agent: str = ROBOTS_AGENT) -> None:
        """Raise BlockedError unless robots.txt lets ``agent`` fetch ``url``."""
        rules = self.rules_for(url)
        if not rules.allows(url, agent):
            why = f" ({rules.reason})" if rules.reason else ""
            raise BlockedError(f"robots.txt disallows {url}{why}")

    def _expired(self, entry: _Entry) -> bool:
        ttl = self._unreachable_ttl if entry.rules.unreachable else self._ttl
        return self._clock() - entry.loaded_at >= ttl

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())
