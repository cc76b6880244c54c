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

# The limits httpx.HTTPTransport uses by default.
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


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


def guarded_transport(backend: httpcore.NetworkBackend | None = None) -> httpx.HTTPTransport:
    """Return an httpx transport that connects through GuardedBackend (or ``backend``)."""
    transport = httpx.HTTPTransport(limits=_LIMITS)
    # httpx has no parameter for the network backend; give the transport a pool
    # built like its own, connecting through ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=_LIMITS.max_connections,
        max_keepalive_connections=_LIMITS.max_keepalive_connections,
        keepalive_expiry=_LIMITS.keepalive_expiry,
        network_backend=backend or GuardedBackend(),
    )
    return transport
