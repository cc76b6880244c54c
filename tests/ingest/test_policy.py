"""The fetch policy on every hop: scheme, allowed hosts, public addresses, pinned connections."""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any

import httpcore
import httpx
import pytest

from newsdesk.ingest import policy
from newsdesk.ingest.errors import BlockedError, NetworkError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.policy import check_public_host, embedded_ipv4, is_public, resolve_host
from newsdesk.ingest.transport import GuardedBackend, guarded_transport
from tests.ingest.fakeweb import FakeWeb, answer, redirect
from tests.ingest.loopback import LoopbackServer
from tests.ingest.loopback import answer as serve
from tests.ingest.loopback import redirect as serve_redirect

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


class RecordingBackend(httpcore.NetworkBackend):
    """Record every connection attempt; reach loopback addresses only, never anything else."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        self.attempts.append(host)
        if not ipaddress.ip_address(host).is_loopback:
            raise httpcore.ConnectError(f"test network: {host} is not reachable from here")
        return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)


class RecordingTransport(httpx.BaseTransport):
    """Record every request handed to the real transport."""

    def __init__(self, backend: RecordingBackend) -> None:
        self.requested: list[str] = []
        self._inner = guarded_transport(GuardedBackend(inner=backend))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requested.append(str(request.url))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def recording_fetcher(**options: Any) -> tuple[Fetcher, RecordingTransport, RecordingBackend]:
    backend = RecordingBackend()
    transport = RecordingTransport(backend)
    return Fetcher(transport=transport, **options), transport, backend


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Answer name lookups from ``table`` (each lookup takes the next answer); log lookups."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:  # connecting to an address literal: no lookup, let the real one answer
            return real(host, *args, **kwargs)
        asked.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = table[host]
        chosen = answers.pop(0) if len(answers) > 1 else answers[0]
        found = []
        for address in chosen.split(","):
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            found.append((family, socket.SOCK_STREAM, 6, "", (address, 0)))
        return found

    monkeypatch.setattr(policy.socket, "getaddrinfo", getaddrinfo)
    return asked


# --- Which addresses are public ---


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        # IPv4-mapped (::ffff:0:0/96)
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:8.8.8.8", True),
        # NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
        ("64:ff9b::10.0.0.1", False),
        ("64:ff9b::127.0.0.1", False),
        ("64:ff9b::169.254.169.254", False),
        ("64:ff9b::8.8.8.8", True),
        # NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215): never the public internet
        ("64:ff9b:1::10.0.0.1", False),
        ("64:ff9b:1::8.8.8.8", False),
        # 6to4 2002::/16 (RFC 3056): the IPv4 address sits in bits 16-47
        ("2002:a00:1::", False),
        ("2002:7f00:1::1", False),
        ("2002:a9fe:a9fe::1", False),
        ("2002:808:808::1", True),
        # IPv4-compatible ::/96 (deprecated) and IPv4-translated ::ffff:0:0:0/96
        ("::10.0.0.1", False),
        ("::127.0.0.1", False),
        ("::ffff:0:10.0.0.1", False),
        ("::ffff:0:8.8.8.8", True),
        # Teredo (2001::/32) and other non-global IPv6 space
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
        ("100::1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    """IPv6 forms carrying an IPv4 address are judged by that address."""
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("2002:c000:0204::1", "192.0.2.4"),
        ("::ffff:0:a00:1", "10.0.0.1"),
        ("2606:4700:4700::1111", None),
    ],
)
def test_embedded_ipv4(address: str, carried: str | None) -> None:
    """The IPv4 address inside each embedding form is found."""
    found = embedded_ipv4(ipaddress.IPv6Address(address))
    assert (str(found) if found else None) == carried


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://10.0.0.1/feed",
        "http://192.168.1.10:8080/feed",
        "http://172.16.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/feed",
        "http://0.0.0.0/feed",
        "http://[::1]/feed",
        "http://[fe80::1]/feed",
        "http://[fd00::1]/feed",
        "http://[::ffff:10.0.0.1]/feed",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[64:ff9b:1::a00:1]/feed",
        "http://[2002:a00:1::]/feed",
        "http://[::a00:1]/feed",
        "http://224.0.0.1/feed",
    ],
)
def test_private_address_literals_are_blocked(url: str) -> None:
    """Without allow_private, non-public address literals are refused before any request."""
    web = FakeWeb({})
    with web.fetcher(allow_private=False) as fetcher, pytest.raises(BlockedError):
        fetcher.fetch(url)
    assert web.requests == []


def test_unresolvable_host_is_a_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that does not resolve raises NetworkError."""
    fake_dns(monkeypatch, {})
    with pytest.raises(NetworkError, match=re.escape("could not resolve nowhere.example")):
        check_public_host("nowhere.example")


def test_ip_literals_are_not_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """An address in the URL is judged as is, without a name lookup."""
    asked = fake_dns(monkeypatch, {})
    assert [str(a) for a in resolve_host("10.0.0.1")] == ["10.0.0.1"]
    assert [str(a) for a in resolve_host("[::1]")] == ["::1"]
    assert asked == []


def test_allow_private_setting_lets_private_addresses_through() -> None:
    """NEWSDESK_FETCH_ALLOW_PRIVATE (set by the tests) permits private addresses."""
    web = FakeWeb({"10.0.0.1/rss.xml": answer(200, {}, FEED)})
    with web.fetcher() as fetcher:
        assert fetcher.fetch("http://10.0.0.1/rss.xml").content == FEED


# --- The host allow-list ---


def test_allow_list_refuses_other_hosts(settings: pytest.FixtureRequest) -> None:
    """With NEWSDESK_FETCH_ALLOWED_HOSTS set, another host is refused unrequested."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["feeds.example"]  # type: ignore[attr-defined]
    web = FakeWeb({"feeds.example/rss.xml": answer(200, {}, FEED)})
    with web.fetcher(allowed_hosts=None) as fetcher:
        assert fetcher.fetch("http://Feeds.Example/rss.xml").status == 200
        with pytest.raises(BlockedError, match="NEWSDESK_FETCH_ALLOWED_HOSTS"):
            fetcher.fetch("http://other.example/rss.xml")
    assert "other.example" not in " ".join(web.paths())


def test_allow_list_applies_to_redirect_hops(settings: pytest.FixtureRequest) -> None:
    """A redirect from an allowed host to another host is refused before it is requested."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["feeds.example"]  # type: ignore[attr-defined]
    web = FakeWeb({"feeds.example/rss.xml": redirect("http://cdn.example/rss.xml")})
    with web.fetcher(allowed_hosts=None) as fetcher, pytest.raises(BlockedError):
        fetcher.fetch("http://feeds.example/rss.xml")
    assert [p for p in web.paths() if "cdn.example" in p] == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/latest/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://localhost:{port}/feed.xml",
    ],
)
def test_redirect_off_the_allow_list_makes_no_connection(
    target: str, settings: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real server on an allowed host redirecting elsewhere gets no connection attempt there."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]  # type: ignore[attr-defined]
    asked = fake_dns(monkeypatch, {"localhost": ["127.0.0.1"]})
    with LoopbackServer({"/feed.xml": serve(200, FEED)}) as server:
        server.routes["/start"] = serve_redirect(target.format(port=server.port))
        fetcher, transport, backend = recording_fetcher()
        with fetcher, pytest.raises(BlockedError, match="NEWSDESK_FETCH_ALLOWED_HOSTS"):
            fetcher.fetch(server.url("start"))
    assert set(backend.attempts) == {"127.0.0.1"}
    assert all(url.startswith("http://127.0.0.1:") for url in transport.requested)
    assert server.paths() == ["/robots.txt", "/start"]
    assert asked == []


def test_robots_redirect_off_the_allow_list_is_refused(settings: pytest.FixtureRequest) -> None:
    """robots.txt redirects get the same policy: no request leaves the allowed hosts."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["127.0.0.1"]  # type: ignore[attr-defined]
    routes = {
        "/robots.txt": serve_redirect("http://169.254.169.254/robots.txt"),
        "/feed.xml": serve(200, FEED),
    }
    with LoopbackServer(routes) as server:
        fetcher, _transport, backend = recording_fetcher()
        with fetcher, pytest.raises(BlockedError):
            fetcher.fetch(server.url("feed.xml"))
    assert set(backend.attempts) == {"127.0.0.1"}
    assert server.paths() == ["/robots.txt"]


# --- Names are judged when connecting, and the connection goes to the judged address ---


def test_name_resolving_to_a_private_address_is_never_connected(
    monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    """A name that resolves to a private address is refused, naming it, with no connection."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = []  # type: ignore[attr-defined]
    fake_dns(monkeypatch, {"intranet.example": ["10.1.2.3"]})
    fetcher, _transport, backend = recording_fetcher(allow_private=False)
    with fetcher, pytest.raises(BlockedError, match=re.escape("10.1.2.3")):
        fetcher.fetch("http://intranet.example/rss.xml")
    assert backend.attempts == []


def test_a_name_with_any_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    """One private address among public ones is enough to refuse the name."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = []  # type: ignore[attr-defined]
    fake_dns(monkeypatch, {"mixed.example": ["93.184.215.14,127.0.0.1"]})
    fetcher, _transport, backend = recording_fetcher(allow_private=False)
    with fetcher, pytest.raises(BlockedError, match=re.escape("127.0.0.1")):
        fetcher.fetch("http://mixed.example/rss.xml")
    assert backend.attempts == []


def test_connection_goes_to_the_address_that_was_judged(
    monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    """DNS rebinding: a name answering public, then private, is connected to the public address.

    The name is resolved once per connection, judged, and the socket is opened
    to that address literal, so a second, different answer is never used.
    """
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = []  # type: ignore[attr-defined]
    asked = fake_dns(monkeypatch, {"rebind.example": ["93.184.215.14", "127.0.0.1"]})
    fetcher, _transport, backend = recording_fetcher(allow_private=False, respect_robots=False)
    with fetcher, pytest.raises(NetworkError, match="could not connect"):
        fetcher.fetch("http://rebind.example/rss.xml")
    assert asked == ["rebind.example"]
    assert backend.attempts == ["93.184.215.14"]


def test_pinned_connection_keeps_the_host_name_in_the_request(
    monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    """Connecting to the resolved address still sends the URL's host in the Host header."""
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["feeds.test"]  # type: ignore[attr-defined]
    fake_dns(monkeypatch, {"feeds.test": ["127.0.0.1"]})
    with LoopbackServer({"/feed.xml": serve(200, FEED)}) as server:
        fetcher, _transport, backend = recording_fetcher()
        with fetcher:
            result = fetcher.fetch(server.url("feed.xml", host="feeds.test"))
    assert result.content == FEED
    assert set(backend.attempts) == {"127.0.0.1"}
    assert {visit.host for visit in server.log} == {f"feeds.test:{server.port}"}
