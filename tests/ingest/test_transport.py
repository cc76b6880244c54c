"""The fetcher's connection pool: one kept-alive connection per host, a linear pass."""

from __future__ import annotations

from typing import Any

import httpcore

from newsdesk.ingest.transport import CrawlerConnectionPool

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Backend(httpcore.MockBackend):
    """Count connections; each can answer a few requests."""

    def __init__(self) -> None:
        super().__init__([RESPONSE] * 5)
        self.streams: list[Stream] = []

    def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.NetworkStream:
        stream = Stream(list(self._buffer))
        self.streams.append(stream)
        return stream


class Stream(httpcore.MockStream):
    """A mock connection whose server can hang up while it is idle."""

    hung_up = False

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self.hung_up  # a closed socket reads as readable (EOF)
        return super().get_extra_info(info)


def pool(backend: Backend, **limits: Any) -> CrawlerConnectionPool:
    settings = {"max_connections": 100, "max_keepalive_connections": 100, **limits}
    return CrawlerConnectionPool(network_backend=backend, keepalive_expiry=60.0, **settings)


def get(connections: CrawlerConnectionPool, host: int) -> None:
    response = connections.request("GET", f"http://host{host}.test/")
    assert response.status == 200 and response.content == b"ok"


def test_a_round_of_hosts_finds_every_connection_kept_alive() -> None:
    """A hundred hosts in turn, twice: the second round reuses every connection."""
    backend = Backend()
    connections = pool(backend)
    for _round in range(2):
        for host in range(100):
            get(connections, host)
    assert len(backend.streams) == 100
    assert len(connections.connections) == 100


def test_a_full_pool_closes_the_longest_idle_connection_for_a_new_host() -> None:
    """At max_connections, a new host's request replaces the oldest idle connection."""
    backend = Backend()
    connections = pool(backend, max_connections=3, max_keepalive_connections=3)
    for host in (0, 1, 2, 3):
        get(connections, host)
    assert len(connections.connections) == 3
    assert backend.streams[0]._closed and not backend.streams[1]._closed
    get(connections, 1)  # still kept: reused
    assert len(backend.streams) == 4


def test_surplus_idle_connections_are_closed() -> None:
    """No more than max_keepalive_connections stay open once their requests are done."""
    backend = Backend()
    connections = pool(backend, max_keepalive_connections=2)
    for host in range(5):
        get(connections, host)
    assert len(connections.connections) == 2
    assert [stream._closed for stream in backend.streams] == [True, True, True, False, False]


def test_a_connection_the_server_closed_is_not_reused() -> None:
    """An idle socket that reads as closed is dropped and a new connection made."""
    backend = Backend()
    connections = pool(backend)
    get(connections, 0)
    backend.streams[0].hung_up = True
    get(connections, 0)
    assert len(backend.streams) == 2
    assert backend.streams[0]._closed
    assert len(connections.connections) == 1


def test_expired_keep_alive_means_a_new_connection() -> None:
    """A connection idle past keepalive_expiry is closed, not reused."""
    backend = Backend()
    connections = CrawlerConnectionPool(network_backend=backend, keepalive_expiry=0.0)
    get(connections, 0)
    get(connections, 0)
    assert len(backend.streams) == 2
    assert backend.streams[0]._closed
