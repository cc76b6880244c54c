"""A small HTTP server for a folder of feeds and pages on 127.0.0.1.

The demo and the integration tests fetch through it exactly as they would from
the web: it answers conditional requests (ETag and Last-Modified, RFC 9110
§13.1), serves a robots.txt when the folder has one, and records every request
so tests can check what the crawler sent.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    # time.monotonic() when the request arrived and when its answer was sent.
    started: float = 0.0
    finished: float = 0.0


@dataclass
class Overrides:
    """Per-path canned answers: a status with headers, for failure tests."""

    responses: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-request are normal for a crawler; stay quiet."""


class CorpusServer:
    """Serve ``root`` on a loopback address in a background thread.

    ``host`` may be any address of 127.0.0.0/8 (all loopback on Linux), so
    tests can stand up several "hosts"; ``delay`` holds every answer back that
    many seconds, to play a slow host. ``max_in_flight`` is the most requests
    the server ever handled at once.
    """

    def __init__(
        self, root: Path, port: int = 0, *, host: str = "127.0.0.1", delay: float = 0.0
    ) -> None:
        self.root = root.resolve()
        self.host = host
        self.delay = delay
        self.requests: list[RecordedRequest] = []
        self.overrides = Overrides()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        handler = _make_handler(self)
        self.httpd = _QuietServer((host, port), handler)
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://{self.host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def start(self) -> CorpusServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def answered(self, request: RecordedRequest) -> None:
        with self._lock:
            request.finished = time.monotonic()
            self.in_flight -= 1

    def requests_for(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _make_handler(server: CorpusServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: the crawler reports what matters."""

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            recorded = RecordedRequest(
                self.command, path, dict(self.headers.items()), started=time.monotonic()
            )
            server.record(recorded)
            try:
                status, headers, body = self._resolve(path)
                recorded.status = status
                if server.delay:
                    time.sleep(server.delay)
                # Answered as the response starts to leave: a client that sends its next
                # request the moment this one's last byte arrives (on a new connection,
                # so on another server thread) must not find this one still counted.
                server.answered(recorded)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
            finally:
                if not recorded.finished:
                    server.answered(recorded)

        def _resolve(self, path: str) -> tuple[int, dict[str, str], bytes]:
            if path in server.overrides.responses:
                return server.overrides.responses[path]
            target = (server.root / path.lstrip("/")).resolve()
            if server.root not in target.parents or not target.is_file():
                return 404, {"Content-Type": "text/plain"}, b"not found"
            body = target.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            mtime = target.stat().st_mtime
            headers = {
                "Content-Type": TYPES.get(target.suffix)
                or mimetypes.guess_type(target.name)[0]
                or "application/octet-stream",
                "ETag": etag,
                "Last-Modified": formatdate(mtime, usegmt=True),
            }
            if self._not_modified(etag, mtime):
                return 304, {"ETag": etag, "Last-Modified": headers["Last-Modified"]}, b""
            return 200, headers, body

        def _not_modified(self, etag: str, mtime: float) -> bool:
            # If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return etag in [tag.strip() for tag in if_none_match.split(",")]
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    return int(mtime) <= parsedate_to_datetime(since).timestamp()
                except (TypeError, ValueError):
                    return False
            return False

    return Handler
