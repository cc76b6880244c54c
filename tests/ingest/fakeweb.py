"""A fake web site for fetcher tests, served through httpx.MockTransport (no sockets)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import httpx

from newsdesk.ingest.fetcher import Fetcher

Handler = Callable[[httpx.Request], httpx.Response]


def answer(
    status: int = 200, headers: dict[str, str] | None = None, body: bytes | Iterable[bytes] = b""
) -> Handler:
    """Return a handler giving the same canned response to every request."""

    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            # A stream, as from the network: the fetcher reads the raw bytes itself.
            return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
        return httpx.Response(status, headers=headers, content=body)

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    return answer(status, {"Location": location})


class FakeWeb:
    """Route requests by host and path to handlers; record every request."""

    def __init__(self, routes: dict[str, Handler] | None = None) -> None:
        # Keys are "host/path" ("feeds.example/rss.xml"); robots.txt is a 404 unless routed.
        self.routes = dict(routes or {})
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get(f"{request.url.host}{request.url.path}")
        if handler is None:
            return answer(404, body=b"not found")(request)
        return handler(request)

    def fetcher(self, **options: object) -> Fetcher:
        # No request leaves the process, so any host name may be routed; a
        # test of the allow-list passes allowed_hosts=None to read the setting.
        options.setdefault("allowed_hosts", [])
        return Fetcher(transport=httpx.MockTransport(self), **options)  # type: ignore[arg-type]

    def paths(self) -> list[str]:
        return [f"{r.url.host}{r.url.path}" for r in self.requests]
