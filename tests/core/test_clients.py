"""The one client-address function: trusted proxies, the rightmost untrusted hop, IPv6 /64."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from newsdesk.core.clients import (
    ProxyHeadersMiddleware,
    client_ip,
    parse_address,
    reader_network,
)


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # Without a trusted proxy the header is the client's word: ignored.
        ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),
        ("10.0.0.2", "198.51.100.7", ["10.0.0.0/8"], "198.51.100.7"),
        # A forged first hop is skipped: the rightmost address not ours is used.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", ["10.0.0.0/8"], "198.51.100.7"),
        # The header is ignored when the connection is not from a trusted proxy.
        ("203.0.113.9", "198.51.100.7", ["10.0.0.0/8"], "203.0.113.9"),
        # Garbage a proxy would never write: fall back to the last hop we trust.
        ("10.0.0.2", "198.51.100.7, not-an-address", ["10.0.0.0/8"], "10.0.0.2"),
        # Ports and brackets, as some proxies write them.
        ("10.0.0.2", "198.51.100.7:5123", ["10.0.0.0/8"], "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::7]:443", ["10.0.0.0/8"], "2001:db8::7"),
        # Every hop ours: the leftmost one is the best we know.
        ("10.0.0.2", "10.0.0.5, 10.0.0.3", ["10.0.0.0/8"], "10.0.0.5"),
        # An IPv4 client seen through an IPv6 socket is the same reader.
        ("::ffff:203.0.113.9", "", [], "203.0.113.9"),
        ("127.0.0.9", "203.0.113.5", ["127.0.0.9"], "203.0.113.5"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_from_trusted_proxies(
    settings: Any, remote: str, forwarded: str, trusted: list[str], expected: str
) -> None:
    """X-Forwarded-For is read only when REMOTE_ADDR is a configured proxy, from the right."""
    settings.NEWSDESK_TRUSTED_PROXIES = trusted
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
    ],
)
def test_reader_network_is_the_address_or_its_slash_64(address: str, network: str) -> None:
    """An IPv4 address is one reader; an IPv6 reader is their /64."""
    assert reader_network(parse_address(address)) == network


def test_no_address_is_no_reader() -> None:
    """A request with no peer address gets an empty reader network, not an error."""
    assert reader_network(parse_address("")) == ""


def _echo(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"{request.META.get('HTTP_X_FORWARDED_PROTO', '-')} {request.is_secure()}")


@pytest.mark.parametrize(
    ("remote", "expected"),
    [("127.0.0.9", "https True"), ("203.0.113.9", "- False")],
)
def test_only_a_trusted_proxy_may_say_https(settings: Any, remote: str, expected: str) -> None:
    """X-Forwarded-Proto from anyone but a trusted proxy is dropped before Django reads it."""
    settings.NEWSDESK_TRUSTED_PROXIES = ["127.0.0.9"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers={"X-Forwarded-Proto": "https"})
    assert ProxyHeadersMiddleware(_echo)(request).content.decode() == expected
