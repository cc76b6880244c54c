"""The site behind a real reverse proxy, as docs/deployment.md sets it up, with several readers.

`newsdesk serve` (gunicorn) runs in its own process with a production HTTPS
environment. A small threaded HTTP proxy in this test, bound to 127.0.0.9 (a
loopback address that is not 127.0.0.1, listed in NEWSDESK_TRUSTED_PROXIES),
forwards to it the way nginx does: it keeps Host, appends the peer's address
to X-Forwarded-For and says X-Forwarded-Proto: https (it stands for the TLS
terminator). Each reader connects to the proxy from its own loopback address,
so the proxy sees, and reports, five distinct real addresses.
"""

from __future__ import annotations

import http.client
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import ROOT, clean_environ, free_port, manage

PROXY_ADDRESS = "127.0.0.9"
SITE_HOST = "news.example.test"
SITE_ORIGIN = f"https://{SITE_HOST}"
READER_ADDRESSES = [f"127.0.0.{n}" for n in range(21, 26)]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailers", "upgrade"}
SETUP = """
from django.utils import timezone
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article
now = timezone.now()
world = Category.objects.create(name="World", slug="world")
wire = Source.objects.create(name="Wire", feed_url="http://127.0.0.1/w.xml", category=world)
a = Article.objects.create(
    source=wire, guid="1", url="http://127.0.0.1/1", slug="bridge",
    title="Council approves new bridge", body_html="<p>Text.</p>",
    published_at=now, first_seen_at=now,
)
print("ARTICLE", a.pk, a.get_absolute_url())
"""

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


class ForwardingHandler(BaseHTTPRequestHandler):
    """Forward one request upstream from the proxy's own address, as a reverse proxy does."""

    protocol_version = "HTTP/1.1"
    server: ProxyServer

    def do_GET(self) -> None:
        self.forward()

    do_POST = do_HEAD = do_GET

    def forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        # nginx's $proxy_add_x_forwarded_for: whatever the client wrote, then the real peer.
        prior = self.headers.get("X-Forwarded-For")
        peer = self.client_address[0]
        headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
        headers["X-Forwarded-Proto"] = "https"
        upstream = http.client.HTTPConnection(
            *self.server.upstream, timeout=30, source_address=(PROXY_ADDRESS, 0)
        )
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        super().__init__((PROXY_ADDRESS, 0), ForwardingHandler)


@dataclass
class Reader:
    """One reader's browser: its own source address, its own cookies (kept by hand).

    The site's cookies are Secure; the readers speak plain HTTP to the proxy
    (which stands for the TLS terminator), so they are kept here, not by httpx.
    """

    proxy: str
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookie_headers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.proxy,
            transport=httpx.HTTPTransport(local_address=self.address),
            headers={"Host": SITE_HOST, "User-Agent": BROWSER},
            timeout=30,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.client.request(method, path, headers=headers, **kwargs)
        self.set_cookie_headers += response.headers.get_list("set-cookie")
        for cookie in response.cookies.jar:
            self.cookies[cookie.name] = cookie.value or ""
        self.client.cookies.clear()
        return response

    def start_writing(self, article: tuple[int, str], body: str) -> dict[str, str]:
        """Fetch the stamp and token as the form's script does, and write the comment."""
        fetched = self.request("GET", f"/comments/stamp/{article[0]}/").json()
        return {
            "csrfmiddlewaretoken": fetched["csrf"],
            "stamp": fetched["stamp"],
            "name": f"Reader {READER_ADDRESSES.index(self.address) + 1}",
            "email": "",
            "body": body,
            "website": "",
            "parent": "",
        }

    def send(self, article: tuple[int, str], form: dict[str, str], **headers: str) -> int:
        """Press "Post comment" on the article page."""
        pk, url = article
        browser_headers = {"Origin": SITE_ORIGIN, "Referer": f"{SITE_ORIGIN}{url}", **headers}
        response = self.request("POST", f"/comments/post/{pk}/", data=form, headers=browser_headers)
        return response.status_code


def write_then_send(
    article: tuple[int, str], drafts: list[tuple[Reader, str, dict[str, str]]]
) -> list[int]:
    """Every reader starts writing, takes a moment (NEWSDESK_COMMENTS_MIN_SECONDS=1), sends."""
    forms = [(reader, reader.start_writing(article, body), extra) for reader, body, extra in drafts]
    time.sleep(1.05)
    return [reader.send(article, form, **extra) for reader, form, extra in forms]


def _environment(var_dir: Path) -> dict[str, str]:
    """The production environment of docs/deployment.md, for this machine."""
    return clean_environ(
        DJANGO_SETTINGS_MODULE="config.settings",
        NEWSDESK_SITE_URL=SITE_ORIGIN,
        NEWSDESK_ALLOWED_HOSTS=SITE_HOST,
        NEWSDESK_TRUSTED_PROXIES=PROXY_ADDRESS,
        NEWSDESK_VAR_DIR=str(var_dir),
        NEWSDESK_SECRET_KEY="reverse-proxy-test-" + "k" * 50,
        NEWSDESK_SCHEDULER="false",
        NEWSDESK_COMMENTS_POLICY="approve_all",
        NEWSDESK_COMMENTS_MIN_SECONDS="1",
    )


@dataclass
class Site:
    env: dict[str, str]
    article: tuple[int, str]
    upstream: tuple[str, int]
    proxy: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`newsdesk serve` with the production environment, behind the proxy on 127.0.0.9."""
    env = _environment(tmp_path_factory.mktemp("proxied-site"))
    manage(env, "migrate", "--noinput", "-v0")
    words = manage(env, "shell", "-c", SETUP).stdout.split()
    at = words.index("ARTICLE")
    article = (int(words[at + 1]), words[at + 2])
    upstream = ("127.0.0.1", free_port())
    command = [sys.executable, "manage.py", "serve", "--no-migrate", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--bind", f"{upstream[0]}:{upstream[1]}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = ProxyServer(upstream)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        _wait_ready(upstream, server)
        yield Site(env, article, upstream, f"http://{PROXY_ADDRESS}:{proxy.server_address[1]}")
    finally:
        proxy.shutdown()
        proxy.server_close()
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(upstream: tuple[str, int], server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "newsdesk serve died on start"
        try:
            # Any answer will do: straight to gunicorn, not via the proxy, it is a redirect.
            httpx.get(f"http://{upstream[0]}:{upstream[1]}/robots.txt", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("newsdesk serve did not start within 60 s")


def _stored(var_dir: str) -> list[tuple[str, str]]:
    with sqlite3.connect(Path(var_dir) / "newsdesk.sqlite3") as db:
        rows = db.execute("SELECT body, visitor_hash FROM comments_comment ORDER BY id")
        return [(str(body), str(visitor)) for body, visitor in rows]


def _raw_database(var_dir: str) -> bytes:
    """Every byte the database keeps on disk (main file and write-ahead log)."""
    files = Path(var_dir).glob("newsdesk.sqlite3*")
    return b"".join(path.read_bytes() for path in files)


def test_readers_behind_the_proxy_each_have_their_own_identity(site: Site) -> None:
    """Five readers behind the HTTPS proxy all post (no CSRF 403, no 429); limits are per reader.

    The page is served as HTTPS (no redirect, HSTS, no cookie); the form's token
    request sets a Secure CSRF cookie; the same reader past the limit gets 429
    even with a new User-Agent and a forged X-Forwarded-For, while the others post on.
    """
    readers = [Reader(site.proxy, address) for address in READER_ADDRESSES]
    try:
        page = readers[0].request("GET", site.article[1])
        assert page.status_code == 200, "the proxy's X-Forwarded-Proto was not believed"
        assert page.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "set-cookie" not in page.headers

        first = write_then_send(
            site.article, [(r, f"First remark from reader {n}.", {}) for n, r in enumerate(readers)]
        )
        assert first == [303] * len(readers)
        csrf_cookie = next(h for h in readers[0].set_cookie_headers if h.startswith("csrftoken="))
        assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie

        # Reader one posts again (allowed: two a minute), then a third time in disguise;
        # the others post their second comment in between and are not held back.
        eager = readers[0]
        disguised = {"User-Agent": "Mozilla/5.0 Chrome/126.0", "X-Forwarded-For": "10.9.9.9"}
        drafts = [(eager, "Second remark, reader one.", {})]
        drafts += [(r, f"Second from reader {n}.", {}) for n, r in enumerate(readers[1:], 1)]
        drafts += [(eager, "Third remark, reader one.", disguised)]
        codes = write_then_send(site.article, drafts)
        assert codes == [303] * len(readers) + [429]
    finally:
        for reader in readers:
            reader.client.close()

    stored = _stored(site.env["NEWSDESK_VAR_DIR"])
    assert len(stored) == 2 * len(readers)
    assert "Third remark, reader one." not in {body for body, _ in stored}
    # One pseudonymous id per reader, and no address stored anywhere in the database.
    assert len({visitor for _, visitor in stored}) == len(readers)
    raw = _raw_database(site.env["NEWSDESK_VAR_DIR"])
    for address in (*READER_ADDRESSES, "10.9.9.9"):
        assert address.encode() not in raw


def test_only_the_trusted_proxy_may_say_https_or_name_the_client(site: Site) -> None:
    """Straight to gunicorn, a forged X-Forwarded-Proto still gets the HTTPS redirect."""
    host, port = site.upstream
    direct = httpx.get(
        f"http://{host}:{port}{site.article[1]}",
        headers={"Host": SITE_HOST, "X-Forwarded-Proto": "https", "User-Agent": BROWSER},
    )
    assert direct.status_code == 301
    assert direct.headers["Location"] == f"{SITE_ORIGIN}{site.article[1]}"
