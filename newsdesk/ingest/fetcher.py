"""Fetch feeds and pages politely: conditional GET, limits, robots.txt, per-host pauses.

One hop of ``Fetcher.fetch``::

    fetch policy (scheme, allowed hosts, address literals; policy.py) -> robots.txt
        -> wait for the host's turn (politeness.py) -> GET within the deadline
           (names resolved, judged and pinned at connect time: transport.py)
        -> redirect: repeat with the next URL, up to the redirect cap
        -> otherwise: read the body within the size cap -> FetchResult

Every request (each hop, and each robots.txt request) must be done, body
included, within NEWSDESK_FETCH_DEADLINE seconds of the host's turn starting;
the host is free again at the deadline at the latest.

Errors (newsdesk/ingest/errors.py): NetworkError (FetchTimeoutError for the
read timeout and the deadline), HTTPStatusError, RateLimitedError,
TooLargeError, TooManyRedirectsError, BlockedError, and plain FetchError for
a URL that is not http(s).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any

import httpx
from django.conf import settings

from newsdesk.ingest.decoding import BodyDecoder, accept_encoding
from newsdesk.ingest.errors import (
    BlockedError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    NetworkError,
    RateLimitedError,
    TooLargeError,
    TooManyRedirectsError,
)
from newsdesk.ingest.policy import check_allowed_host, check_public_literal, parse_http_url
from newsdesk.ingest.politeness import HostThrottle, RedisHostThrottle, Throttle
from newsdesk.ingest.robots import (
    ROBOTS_AGENT,
    ROBOTS_MAX_BYTES,
    MemoryRobotsStore,
    RedisRobotsStore,
    RobotsCache,
    RobotsRules,
    RobotsStore,
    rules_from_response,
    unreachable_rules,
)
from newsdesk.ingest.transport import guarded_transport, request_scope
from newsdesk.ingest.types import FetchResult

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RATE_LIMIT_STATUSES = frozenset({429, 503})
# Follow at least five redirects for robots.txt (RFC 9309 §2.3.1.2).
ROBOTS_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class _Reply:
    """One HTTP exchange, with the body read only for 2xx answers."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes = b""
    # (status, URL) of each redirect followed on the way here.
    redirects: tuple[tuple[int, str], ...] = ()
    # Seconds spent in the exchanges (every hop), waiting for the host's turn excluded.
    elapsed: float = 0.0


class Fetcher:
    """Fetch URLs through one shared, thread-safe client.

    Arguments left as None are read from the Django settings at each fetch, so
    a long-lived fetcher follows changed settings (and test overrides).
    """

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        max_bytes: int | None = None,
        max_redirects: int | None = None,
        host_delay: float | None = None,
        allow_private: bool | None = None,
        allowed_hosts: list[str] | None = None,
        respect_robots: bool = True,
        transport: httpx.BaseTransport | None = None,
        throttle: Throttle | None = None,
        robots_store: RobotsStore | None = None,
    ) -> None:
        self._user_agent = user_agent
        self._timeout = timeout
        self._deadline = deadline
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._host_delay = host_delay
        self._allow_private = allow_private
        self._allowed_hosts = allowed_hosts
        self.respect_robots = respect_robots
        # Redirects are followed by hand so each hop gets the fetch policy,
        # robots.txt and politeness checks.
        self._client = httpx.Client(
            transport=transport or guarded_transport(), follow_redirects=False
        )
        shared_throttle, shared_store = shared_politeness()
        self._throttle = throttle or shared_throttle
        self._robots = RobotsCache(self._load_robots, store=robots_store or shared_store)

    @property
    def user_agent(self) -> str:
        return self._user_agent if self._user_agent is not None else default_user_agent()

    @property
    def timeout(self) -> float:
        return float(_or_setting(self._timeout, "NEWSDESK_FETCH_TIMEOUT"))

    @property
    def deadline(self) -> float:
        return float(_or_setting(self._deadline, "NEWSDESK_FETCH_DEADLINE"))

    @property
    def max_bytes(self) -> int:
        return int(_or_setting(self._max_bytes, "NEWSDESK_FETCH_MAX_BYTES"))

    @property
    def max_redirects(self) -> int:
        return int(_or_setting(self._max_redirects, "NEWSDESK_FETCH_MAX_REDIRECTS"))

    @property
    def host_delay(self) -> float:
        return float(_or_setting(self._host_delay, "NEWSDESK_FETCH_HOST_DELAY"))

    @property
    def robots_ttl(self) -> float:
        return float(_setting("NEWSDESK_FETCH_ROBOTS_TTL"))

    @property
    def allow_private(self) -> bool:
        return bool(_or_setting(self._allow_private, "NEWSDESK_FETCH_ALLOW_PRIVATE"))

    @property
    def allowed_hosts(self) -> list[str]:
        return list(_or_setting(self._allowed_hosts, "NEWSDESK_FETCH_ALLOWED_HOSTS") or [])

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url``, conditionally when ``etag`` or ``last_modified`` is given."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        reply = self._follow(
            url,
            headers,
            robots=self.respect_robots,
            max_redirects=self.max_redirects,
            max_bytes=self.max_bytes,
        )
        logger.debug("fetched", extra={"url": url, "final_url": reply.url, "status": reply.status})
        return _to_result(reply, etag, last_modified)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _follow(
        self,
        url: str,
        headers: dict[str, str],
        *,
        robots: bool,
        max_redirects: int,
        max_bytes: int,
        truncate: bool = False,
    ) -> _Reply:
        current = url
        hops: list[tuple[int, str]] = []
        elapsed = 0.0
        for _hop in range(max_redirects + 1):
            crawl_delay = self._check_allowed(current, robots=robots)
            delay = max(self.host_delay, crawl_delay)
            reply = self._exchange(
                current, headers, delay=delay, max_bytes=max_bytes, truncate=truncate
            )
            elapsed += reply.elapsed
            target = _redirect_target(reply)
            if target is None:
                return dataclasses.replace(reply, redirects=tuple(hops), elapsed=elapsed)
            hops.append((reply.status, target))
            current = target
        raise TooManyRedirectsError(f"more than {max_redirects} redirects from {url}")

    def _check_allowed(self, url: str, *, robots: bool) -> float:
        """Apply the fetch policy to one hop; return the robots.txt Crawl-delay (0 if none)."""
        host = parse_http_url(url).host
        check_allowed_host(host, self.allowed_hosts)
        if not self.allow_private:
            check_public_literal(host)  # names are judged when connecting (transport.py)
        if robots:
            return self._robots.check(url, ROBOTS_AGENT, ttl=self.robots_ttl)
        return 0.0

    def _exchange(
        self, url: str, headers: dict[str, str], *, delay: float, max_bytes: int, truncate: bool
    ) -> _Reply:
        timeout, limit = self.timeout, self.deadline
        headers = {**headers, "User-Agent": self.user_agent, "Accept-Encoding": accept_encoding()}
        request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
        with self._throttle.slot(request.url.host, delay, hold=limit):
            # The deadline runs from the start of the host's turn, so waiting
            # for the turn never eats into it and the turn never outlives it.
            started = time.monotonic()
            deadline = started + limit
            try:
                with request_scope(deadline=deadline, allow_private=self.allow_private):
                    reply = self._send(request, deadline, max_bytes=max_bytes, truncate=truncate)
                    return dataclasses.replace(reply, elapsed=time.monotonic() - started)
            except httpx.TimeoutException as error:
                if time.monotonic() >= deadline - 0.05:
                    raise _past_deadline(url, limit) from error
                raise FetchTimeoutError(
                    f"timed out after {timeout:g} s fetching {url} ({type(error).__name__})"
                ) from error
            except httpx.ConnectError as error:
                raise NetworkError(
                    f"could not connect to {request.url.netloc.decode()}: {error}"
                ) from error
            except httpx.DecodingError as error:
                raise FetchError(f"could not decode the body of {url}: {error}") from error
            except httpx.HTTPError as error:
                raise NetworkError(f"network error fetching {url}: {error}") from error

    def _send(
        self, request: httpx.Request, deadline: float, *, max_bytes: int, truncate: bool
    ) -> _Reply:
        response = self._client.send(request, stream=True)
        try:
            content = b""
            if 200 <= response.status_code < 300:
                content = _read_capped(response, deadline, max_bytes, truncate=truncate)
        finally:
            response.close()
        return _Reply(str(response.url), response.status_code, dict(response.headers), content)

    def _load_robots(self, url: str) -> RobotsRules:
        """Request robots.txt through the client, without a robots.txt check of its own."""
        try:
            reply = self._follow(
                url,
                {"Accept": "text/plain, */*;q=0.5"},
                robots=False,
                max_redirects=ROBOTS_MAX_REDIRECTS,
                max_bytes=ROBOTS_MAX_BYTES,
                truncate=True,
            )
        except TooManyRedirectsError:
            # Past five redirects the file may be taken as unavailable (RFC 9309 §2.3.1.2).
            return rules_from_response(404, b"")
        except BlockedError:
            raise  # the fetch policy refuses the host itself: say so, not "unreachable"
        except FetchError as error:
            logger.warning("robots.txt unreachable", extra={"url": url, "error": str(error)})
            return unreachable_rules(str(error))
        return rules_from_response(reply.status, reply.content, reply.headers)


def shared_politeness() -> tuple[Throttle, RobotsStore]:
    """Return the host throttle and robots.txt store: in Redis when NEWSDESK_REDIS_URL is set.

    With Redis every crawler process and Celery worker takes turns on a host
    with the others and reads the same robots.txt verdicts; without it they
    are kept in this process.
    """
    url = str(_setting("NEWSDESK_REDIS_URL") or "")
    if not url:
        return HostThrottle(), MemoryRobotsStore()
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return RedisHostThrottle(client), RedisRobotsStore(client)


def default_user_agent() -> str:
    """Name the site and where to reach its operator, then the robots.txt product token."""
    site, site_url = _setting("NEWSDESK_SITE_NAME"), _setting("NEWSDESK_SITE_URL")
    return f"{site}/{_version()} (+{site_url}) {ROBOTS_AGENT}"


def _or_setting(value: object, name: str) -> Any:
    """Return ``value``, or the Django setting ``name`` when it is None."""
    return value if value is not None else _setting(name)


def _setting(name: str) -> Any:
    # The NEWSDESK_ settings come from the table in newsdesk/core/env.py at
    # startup, which the django-stubs plugin cannot see.
    return getattr(settings, name)


@cache
def _version() -> str:
    try:
        return version("newsdesk")
    except PackageNotFoundError:
        return "0"


def parse_retry_after(value: str, now: datetime | None = None) -> datetime | None:
    """Return when to retry from a Retry-After value (RFC 9110 §10.2.3), or None."""
    value = value.strip()
    now = now or datetime.now(UTC)
    if value.isascii() and value.isdigit():
        try:
            return now + timedelta(seconds=int(value))
        except OverflowError:
            return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    # HTTP-dates are always GMT; a "-0000" zone parses as naive.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _past_deadline(url: str, limit: float) -> FetchTimeoutError:
    return FetchTimeoutError(
        f"gave up on {url}: not done within the {limit:g} s deadline (connect, headers and body)"
    )


def _read_capped(
    response: httpx.Response, deadline: float, max_bytes: int, *, truncate: bool
) -> bytes:
    """Read and decode the body, stopping past ``max_bytes`` (cut short, or TooLargeError).

    The raw bytes are decoded here in bounded steps (decoding.py), and each
    decoded step is counted before the next is made, so a small compressed
    body cannot expand in memory past the cap.
    """
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(
            f"{response.url} declares {declared} bytes, over the {max_bytes} byte cap"
        )
    decoder = BodyDecoder(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    size = 0
    for piece in _decoded(response, decoder, deadline):
        if size + len(piece) > max_bytes:
            if truncate:
                chunks.append(piece[: max_bytes - size])
                return b"".join(chunks)
            raise TooLargeError(f"{response.url} is over the {max_bytes} byte cap")
        chunks.append(piece)
        size += len(piece)
    return b"".join(chunks)


def _decoded(response: httpx.Response, decoder: BodyDecoder, deadline: float) -> Iterator[bytes]:
    for raw in response.iter_raw():
        if time.monotonic() >= deadline:
            # Chunks keep coming, each within the read timeout: the deadline ends it.
            raise httpx.ReadTimeout("the request's deadline has passed", request=response.request)
        yield from decoder.feed(raw)
    yield from decoder.finish()


def _redirect_target(reply: _Reply) -> str | None:
    location = reply.headers.get("location", "")
    if reply.status not in REDIRECT_STATUSES or not location:
        return None
    try:
        return str(httpx.URL(reply.url).join(location))
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid redirect from {reply.url} to {location!r}") from error


def _to_result(reply: _Reply, etag: str, last_modified: str) -> FetchResult:
    status, headers = reply.status, reply.headers
    if status == 304:
        # The caller keeps its stored validators unless the 304 carries new ones.
        return FetchResult(
            url=reply.url,
            status=304,
            content=b"",
            headers=headers,
            etag=headers.get("etag") or etag,
            last_modified=headers.get("last-modified") or last_modified,
            redirects=reply.redirects,
            elapsed=reply.elapsed,
        )
    if status in RATE_LIMIT_STATUSES:
        retry_at = parse_retry_after(headers.get("retry-after", ""))
        later = f" (retry after {retry_at.isoformat()})" if retry_at else ""
        raise RateLimitedError(f"{status_message(status)}{later}", status, retry_at)
    if status >= 300:
        raise HTTPStatusError(status_message(status), status)
    return FetchResult(
        url=reply.url,
        status=status,
        content=reply.content,
        headers=headers,
        etag=headers.get("etag", ""),
        last_modified=headers.get("last-modified", ""),
        redirects=reply.redirects,
        elapsed=reply.elapsed,
    )


def status_message(status: int) -> str:
    """Return e.g. "HTTP 404 Not Found"."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
