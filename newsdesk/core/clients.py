"""Who is asking: the one client-address function, behind or without a reverse proxy.

The client is ``REMOTE_ADDR`` unless that is one of our own proxies
(``NEWSDESK_TRUSTED_PROXIES``). Then ``X-Forwarded-For`` is read from the right,
skipping our proxies: the first hop that is not ours is the client as far as
anyone trustworthy saw it. Hops further left were written by the client itself
and prove nothing. Hit counting, comment rate limits and form stamps all use
this one function, so they agree on who a reader is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Readers on IPv6 get a /64 per household or phone; the low 64 bits are theirs to rotate.
IPV6_READER_PREFIX = 64


@lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    found: list[Network] = []
    for entry in entries:
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(found)


def trusted_networks() -> tuple[Network, ...]:
    """Return the networks of NEWSDESK_TRUSTED_PROXIES (read at call time, cached by value)."""
    entries: Iterable[str] = getattr(settings, "NEWSDESK_TRUSTED_PROXIES", ()) or ()
    return _networks(tuple(entries))


def parse_address(raw: str) -> Address | None:
    """Read one address as proxies write it: bare, ``v4:port``, ``[v6]`` or ``[v6]:port``."""
    text = raw.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # one reader, whichever socket family saw them
    return address


def is_trusted_proxy(address: Address | None) -> bool:
    """Tell whether ``address`` is one of our own proxies."""
    return address is not None and any(address in net for net in trusted_networks())


def client_address(request: HttpRequest) -> Address | None:
    """Return the client's address: REMOTE_ADDR, or the rightmost untrusted forwarded hop."""
    remote = parse_address(str(request.META.get("REMOTE_ADDR", "") or ""))
    if not is_trusted_proxy(remote):
        return remote
    hops = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    for raw in reversed(hops):
        if not raw.strip():
            continue
        hop = parse_address(raw)
        if hop is None:
            # Our proxy appends valid addresses only; garbage came from the client
            # side, so the last hop we could vouch for is the best we know.
            return remote
        if not is_trusted_proxy(hop):
            return hop
        remote = hop
    return remote


def client_ip(request: HttpRequest) -> str:
    """Return the client's address as text ('' when the server saw none)."""
    address = client_address(request)
    return "" if address is None else str(address)


def reader_network(address: Address | None) -> str:
    """Return what identifies one reader: the IPv4 address, or the IPv6 address's /64."""
    if address is None:
        return ""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.IPv6Network((address, IPV6_READER_PREFIX), strict=False))


class ProxyHeadersMiddleware:
    """Drop forwarding headers that did not come from one of our proxies.

    Django's SECURE_PROXY_SSL_HEADER believes whoever sends the header; a
    client reaching the application server directly could claim HTTPS. Only a
    trusted proxy's word counts, as gunicorn's ``forwarded_allow_ips`` does.
    """

    FORWARDED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        remote = parse_address(str(request.META.get("REMOTE_ADDR", "") or ""))
        if not is_trusted_proxy(remote):
            names = {*self.FORWARDED, *_proxy_ssl_meta_name()}
            for name in names:
                request.META.pop(name, None)
        return self.get_response(request)


def _proxy_ssl_meta_name() -> tuple[str, ...]:
    header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    return (str(header[0]),) if header else ()


def may_be_signed_in(request: HttpRequest) -> bool:
    """Tell whether ``request`` carries a session cookie, without opening the session.

    Reading ``request.user`` loads the session and makes SessionMiddleware add
    ``Vary: Cookie``, which splits every shared cache by cookie. A request
    without a session cookie is anonymous for sure; only the others need asking.
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES
