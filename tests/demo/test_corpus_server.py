"""The loopback corpus server's own accounting, which politeness tests rely on."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from newsdesk.demo.server import CorpusServer


def test_back_to_back_requests_on_new_connections_are_never_counted_at_once(
    tmp_path: Path,
) -> None:
    """A client that asks again the moment an answer arrives is one request in flight.

    Each request goes on a new connection, so a new server thread: the server
    must count the first one answered before its response can reach the client
    (it once counted it after, and a polite crawler showed two in flight).
    """
    (tmp_path / "page.html").write_bytes(b"<p>x</p>" * 2000)
    with CorpusServer(tmp_path) as server:
        for _ in range(100):
            with httpx.Client(headers={"Connection": "close"}) as client:
                assert client.get(server.url("page.html")).status_code == 200
                assert client.head(server.url("page.html")).status_code == 200
    assert server.max_in_flight == 1
    assert len(server.requests) == 200


def test_requests_that_overlap_are_counted_at_once(tmp_path: Path) -> None:
    """Two clients asking a slow server together show two in flight."""
    (tmp_path / "page.html").write_bytes(b"<p>x</p>")
    with CorpusServer(tmp_path, delay=0.3) as server:
        threads = [
            threading.Thread(target=httpx.get, args=(server.url("page.html"),)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.max_in_flight == 2
