"""A loopback fixture web for the crawl bench: many hosts, feeds and real article pages.

One asyncio process listens on ``--hosts`` addresses of 127.0.0.0/8 (127.0.1.1,
127.0.1.2, ...; all loopback on Linux), one port for all. Source ``n`` lives on
host ``n % hosts`` at ``/feed/<n>.rss``: an RSS 2.0 feed of ``--items``
summary-only entries, each linking to ``/page/<n>/<k>.html``, which serves a
real article page from the repository (tests/data/articles and the demo corpus),
cycling through them. Feeds and pages carry an ETag and answer a matching
If-None-Match with 304, as a well-behaved publisher does.

    python -m bench.fixture_web --hosts 100 --items 2 --port 0   # prints its port
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_DIRS = (ROOT / "tests" / "data" / "articles", ROOT / "newsdesk" / "demo" / "corpus" / "pages")
# Fragments and golden files, not whole article pages.
SKIP = ("techcrunch-entry",)


def corpus_pages() -> list[Path]:
    """The real article pages the fixture web serves, in a stable order."""
    found = [
        path
        for folder in PAGE_DIRS
        for path in sorted(folder.rglob("*.html"))
        if not path.name.startswith(SKIP)
    ]
    return found


def host_address(index: int) -> str:
    """The loopback address of fixture host ``index`` (127.0.1.1, 127.0.1.2, ...)."""
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def page_index(source: int, item: int, items: int, pages: int) -> int:
    """Which corpus page entry ``item`` of source ``source`` links to."""
    return (source * items + item) % pages


def feed_xml(source: int, items: int, base: str) -> bytes:
    entries = "".join(
        f"<item><title>Story {source}-{k}</title><link>{base}/page/{source}/{k}.html</link>"
        f"<guid>{base}/page/{source}/{k}.html</guid>"
        f"<pubDate>{formatdate(1_600_000_000 + source * 60 + k, usegmt=True)}</pubDate>"
        f"<description>Teaser of story {source}-{k}.</description></item>"
        for k in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Fixture source {source}</title><link>{base}/</link>"
        f"<description>Bench fixture</description>{entries}</channel></rss>"
    ).encode()


class FixtureWeb:
    def __init__(self, hosts: int, items: int) -> None:
        self.hosts = hosts
        self.items = items
        self.pages = [path.read_bytes() for path in corpus_pages()]
        self.port = 0
        self.requests = 0

    def answer(self, host: str, path: str) -> tuple[int, bytes, str]:
        """Return status, body and media type for a path on a host."""
        base = f"http://{host}:{self.port}"
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "feed" and len(parts) == 2:
                return (
                    200,
                    feed_xml(int(parts[1].removesuffix(".rss")), self.items, base),
                    ("application/rss+xml"),
                )
            if parts[0] == "page" and len(parts) == 3:
                source, item = int(parts[1]), int(parts[2].removesuffix(".html"))
                index = page_index(source, item, self.items, len(self.pages))
                return 200, self.pages[index], "text/html"
        except ValueError:
            pass
        return 404, b"not found", "text/plain"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in lines[1:] if line)
                }
                self.requests += 1
                status, body, kind = self.answer(host, path)
                etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
                if status == 200 and headers.get("if-none-match") == etag:
                    status, body = 304, b""
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                writer.write(
                    (
                        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"
                        f"Content-Length: {len(body)}\r\nETag: {etag}\r\n\r\n"
                    ).encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def serve(self, port: int) -> None:
        first = await asyncio.start_server(self.handle, host_address(0), port)
        self.port = first.sockets[0].getsockname()[1]
        servers = [first]
        for index in range(1, self.hosts):
            servers.append(await asyncio.start_server(self.handle, host_address(index), self.port))
        print(self.port, flush=True)
        # Runs until the bench kills it; stdin closing (the bench gone) ends it too.
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--items", type=int, default=2)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(FixtureWeb(args.hosts, args.items).serve(args.port))


if __name__ == "__main__":
    main()
