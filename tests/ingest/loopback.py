"""A scriptable HTTP server on 127.0.0.1 that logs when each request starts and ends.

Routes are functions that write the answer themselves, so a test can make a
server that trickles, stalls, redirects or sends a compressed bomb. The log
shows which requests were in flight at the same time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Visit:
    path: str
    host: str
    started: float
    ended: float = 0.0


def send(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    """Write a whole answer with a Content-Length."""
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def answer(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> Route:
    return lambda handler: send(handler, status, body, headers)


def slow(seconds: float, body: bytes = b"ok") -> Route:
    """Answer after ``seconds``, so overlapping requests would show in the log."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        send(handler, 200, body, {"Content-Type": "text/plain"})

    return route


def trickle(every: float, total: int = 10_000) -> Route:
    """Send headers, then one body byte every ``every`` seconds (never finishing early)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        try:
            for _ in range(total):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(every)
        except OSError:
            return  # the client gave up, as it should

    return route


def redirect(location: str, status: int = 302) -> Route:
    return answer(status, b"", {"Location": location})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-answer are what these tests provoke; stay quiet."""


class LoopbackServer:
    """Serve ``routes`` (path -> function) on 127.0.0.1; unknown paths get a 404."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.log: list[Visit] = []
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def paths(self) -> list[str]:
        with self._lock:
            return [visit.path for visit in self.log]

    def overlaps(self) -> list[tuple[Visit, Visit]]:
        """Pairs of requests that were in flight at the same time."""
        with self._lock:
            visits = sorted(self.log, key=lambda visit: visit.started)
        return [
            (earlier, later)
            for earlier, later in itertools.pairwise(visits)
            if later.started < earlier.ended
        ]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """The visit log is kept in Python, not on stderr."""

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                visit = Visit(path, self.headers.get("Host", ""), time.monotonic())
                with server._lock:
                    server.log.append(visit)
                route = server.routes.get(path, answer(404, b"not found"))
                try:
                    route(self)
                finally:
                    visit.ended = time.monotonic()

        return Handler
