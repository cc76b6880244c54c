"""The fetch policy: which URLs the crawler may request at all.

The fetcher applies it to every URL it is about to request: the first one,
each redirect hop, robots.txt, feeds, article pages and discovery candidates.
Nothing else in Newsdesk opens a connection to a source.

- Scheme: http and https only.
- Host allow-list: when NEWSDESK_FETCH_ALLOWED_HOSTS is set, only those hosts.
- Addresses: only public ones, unless NEWSDESK_FETCH_ALLOW_PRIVATE is set.
  An IPv6 address that carries an IPv4 address (IPv4-mapped, IPv4-compatible,
  IPv4-translated, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4
  address it reaches; the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215) is
  never public. Names are resolved and judged when the connection is made
  (transport.py), and the connection goes to the address that was judged.
- robots.txt: robots.py, through the fetcher.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

import httpx

from newsdesk.ingest.errors import BlockedError, FetchError, NetworkError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215 local use
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 §2.5.5.1, deprecated
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765 §2.1
# 2000::/3 is the only global unicast space; everything else Python calls
# "reserved" is either unassigned or special, whatever is_global says on
# older Pythons (3.11's is_global accepts ::a00:1).
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def parse_http_url(url: str) -> httpx.URL:
    """Parse ``url``, refusing anything but an absolute http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL {url!r}: {error}") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(f"not an http(s) URL: {url!r}")
    return parsed


def check_allowed_host(host: str, allowed: list[str]) -> None:
    """Refuse ``host`` unless it is in ``allowed`` (an empty list allows any host)."""
    if not allowed:
        return
    if _host_key(host) not in _host_keys(tuple(allowed)):
        raise BlockedError(f"host {host!r} is not in NEWSDESK_FETCH_ALLOWED_HOSTS")


def _host_key(host: str) -> str:
    return host.lower().strip("[]").rstrip(".")


@lru_cache(maxsize=8)
def _host_keys(allowed: tuple[str, ...]) -> frozenset[str]:
    # Built once per setting value, not on every hop of every fetch.
    return frozenset(_host_key(name) for name in allowed)


def check_public_host(host: str) -> list[IPAddress]:
    """Return the addresses of ``host``; raise BlockedError if any of them is not public."""
    addresses = resolve_host(host)
    for address in addresses:
        if not is_public(address):
            raise BlockedError(f"{host} resolves to the non-public address {address}")
    return addresses


def check_public_literal(host: str) -> None:
    """Refuse a host written as a non-public IP address; names are left to connect time."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if not is_public(address):
        raise BlockedError(f"{host} is the non-public address {address}")


def resolve_host(host: str) -> list[IPAddress]:
    """Return the addresses of ``host``; an IP literal is returned without a lookup."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise NetworkError(f"could not resolve {host}: {error}") from error
    # Drop an IPv6 zone ("fe80::1%eth0"), which ip_address() does not accept.
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))


def is_public(address: IPAddress) -> bool:
    """Tell whether ``address`` is on the public internet (the IPv4 it carries, for IPv6)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        carried = embedded_ipv4(address)
        if carried is not None:
            return is_public(carried)
        return address in _GLOBAL_UNICAST and address.is_global and not address.is_multicast
    # is_global excludes private, loopback, link-local, shared (100.64/10) and
    # reserved ranges; multicast is never a web server.
    return address.is_global and not address.is_multicast


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address stands for, when it is one of those forms."""
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return address.ipv4_mapped
    if address.sixtofour is not None:  # 2002:aabb:ccdd::/48
        return address.sixtofour
    if any(address in net for net in (_NAT64, _IPV4_TRANSLATED, _IPV4_COMPATIBLE)):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
