"""The connecting end of the fetcher: checked, pinned addresses and a deadline per request.

httpx resolves a name itself when it connects, so a check made before the
request ("is this name public?") could be answered differently a moment
later (DNS rebinding). GuardedBackend is the httpcore network backend the
fetcher connects through instead: it resolves the name once, refuses it when
any address is not public (unless private addresses are allowed), and
connects to the very addresses it judged. TLS still verifies and names (SNI)
the host of the URL, because httpcore starts TLS with the URL's host, not
with the address it connected to; the Host header comes from the URL too.

It also keeps each request within its deadline: every connect, TLS
handshake, read and write gets at most the time left until the deadline of
the request in progress on this thread, so a server trickling one byte a
second is cut off at the deadline, not one read timeout after it.

The fetcher opens a ``request_scope`` around each request; the scope is
per thread because httpcore's sync client runs a request on the caller's
thread, and a kept-alive connection reads the scope of whichever request is
using it now.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from newsdesk.ingest.policy import check_public_host, resolve_host

# httpx.HTTPTransport's default limits, but every pooled connection may be kept
# alive: a crawl goes round its hosts and comes back to each (a feed, then its
# pages), and with httpx's 20 a round of more hosts found each connection closed.
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=5.0)
# Idle connections are polled for a server's close (and their keep-alive checked)
# at most this often, besides the one about to be reused.
SWEEP_SECONDS = 1.0


@dataclass(frozen=True)
class RequestScope:
    """What the request in progress on this thread may do."""

    deadline: float | None  # time.monotonic() value
    allow_private: bool

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """Return ``timeout`` cut to the time left; raise ``expired`` when none is left."""
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise expired("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


_STRICT = RequestScope(deadline=None, allow_private=False)
_local = threading.local()


def current_scope() -> RequestScope:
    """Return the scope of this thread's request; outside one, private addresses are refused."""
    scope: RequestScope = getattr(_local, "scope", _STRICT)
    return scope


@contextmanager
def request_scope(*, deadline: float | None, allow_private: bool) -> Iterator[RequestScope]:
    """Run one request on this thread under ``deadline`` and the address policy."""
    previous = getattr(_local, "scope", None)
    scope = RequestScope(deadline, allow_private)
    _local.scope = scope
    try:
        yield scope
    finally:
        _local.scope = previous


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve, judge and connect to the judged addresses, within the request's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        scope = current_scope()
        addresses = resolve_host(host) if scope.allow_private else check_public_host(host)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=scope.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error  # try the next address, as socket.create_connection does
                continue
            return DeadlineStream(stream)
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the fetcher connects to TCP hosts only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation ends by the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, current_scope().clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, current_scope().clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secured = self._inner.start_tls(
            ssl_context,
            server_hostname=server_hostname,
            timeout=current_scope().clamp(timeout, httpcore.ConnectTimeout),
        )
        return DeadlineStream(secured)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class CrawlerConnectionPool(httpcore.ConnectionPool):
    """httpcore's HTTP/1.1 pool with an assignment pass linear in its connections.

    httpcore 1.0 runs its pass two or three times a request, and each pass counts
    the pool once per pooled connection and polls every idle socket for a close
    (encode/httpcore#1035): with a hundred hosts kept alive, most of the crawler's
    HTTP time. Here a pass counts once, idle sockets are swept at most every
    SWEEP_SECONDS, and a connection is checked again just before it is reused.
    A connection handed to a request that has not started on it yet is neither
    closed nor handed to another (encode/httpcore#1110).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _assign_requests_to_connections(self) -> list[httpcore.ConnectionInterface]:
        # Called by httpcore with the pool's lock held, when a request comes and when
        # a response is closed. With no request waiting and no sweep due, there is
        # nothing to hand out and no connection could be surplus: skip the walk.
        if (
            time.monotonic() < self._next_sweep
            and len(self._connections) <= self._max_keepalive_connections
            and not any(pool_request.is_queued() for pool_request in self._requests)
        ):
            return []
        closing: list[httpcore.ConnectionInterface] = []
        reserved = {id(r.connection) for r in self._requests if r.connection is not None}
        kept, idle = self._sweep(reserved, closing)
        for pool_request in [r for r in self._requests if r.is_queued()]:
            origin = pool_request.request.url.origin
            connection = self._reusable(idle, origin, kept, closing)
            if connection is None and len(kept) >= self._max_connections and idle:
                # Full: close the longest-kept idle connection to make room.
                oldest = idle.pop(0)
                kept.remove(oldest)
                closing.append(oldest)
            if connection is None and len(kept) < self._max_connections:
                connection = self.create_connection(origin)
                kept.append(connection)
            if connection is not None:
                pool_request.assign_to_connection(connection)
        self._connections = kept
        return closing

    def _sweep(
        self, reserved: set[int], closing: list[httpcore.ConnectionInterface]
    ) -> tuple[list[httpcore.ConnectionInterface], list[httpcore.ConnectionInterface]]:
        """Drop closed, expired and surplus idle connections; return those kept, and the idle."""
        now = time.monotonic()
        poll = now >= self._next_sweep
        if poll:
            self._next_sweep = now + SWEEP_SECONDS
        kept, idle = [], []
        for connection in self._connections:
            if connection.is_closed():
                continue
            if id(connection) not in reserved and connection.is_idle():
                if poll and connection.has_expired():
                    closing.append(connection)
                    continue
                idle.append(connection)
            kept.append(connection)
        surplus = idle[: max(0, len(idle) - self._max_keepalive_connections)]
        if surplus:
            closing.extend(surplus)
            gone = {id(connection) for connection in surplus}
            kept = [connection for connection in kept if id(connection) not in gone]
            idle = idle[len(surplus) :]
        return kept, idle

    @staticmethod
    def _reusable(
        idle: list[httpcore.ConnectionInterface],
        origin: httpcore.Origin,
        kept: list[httpcore.ConnectionInterface],
        closing: list[httpcore.ConnectionInterface],
    ) -> httpcore.ConnectionInterface | None:
        """Take an idle connection to ``origin`` out of ``idle``, if one is still good."""
        for connection in list(idle):
            if not (connection.can_handle_request(origin) and connection.is_available()):
                continue
            idle.remove(connection)
            if connection.has_expired():
                kept.remove(connection)
                closing.append(connection)
                continue
            return connection
        return None


def guarded_transport(backend: httpcore.NetworkBackend | None = None) -> httpx.HTTPTransport:
    """Return an httpx transport that connects through GuardedBackend (or ``backend``)."""
    transport = httpx.HTTPTransport(limits=_LIMITS)
    # httpx has no parameter for the network backend; give the transport a pool
    # built like its own, connecting through ours.
    transport._pool = CrawlerConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=_LIMITS.max_connections,
        max_keepalive_connections=_LIMITS.max_keepalive_connections,
        keepalive_expiry=_LIMITS.keepalive_expiry,
        network_backend=backend or GuardedBackend(),
    )
    return transport
