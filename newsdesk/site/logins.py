"""Staff sign-in throttling (django-axes): who is counted, and what a locked-out client sees.

Axes counts failed sign-ins per client address and refuses every sign-in from
that address, right password or not, for NEWSDESK_LOGIN_LOCKOUT_MINUTES after
NEWSDESK_LOGIN_FAILURE_LIMIT failures. It applies to the admin's login, which is
also where the dashboard and the moderation queue send staff.

The address is the trusted-proxy client address (never a client-written
X-Forwarded-For), an IPv6 client reduced to its /64 (one subscriber's block, so
rotating addresses inside it does not help), then hashed with the day's random
salt. Axes stores that pseudonym in its address column, written in the IPv6
documentation prefix 2001:db8::/32 so that it can never be mistaken for a real
address; like visitor ids it cannot be traced back once the salt is gone.
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from newsdesk.hits.visitors import client_ip, salt_for

DOCUMENTATION_PREFIX = int(ipaddress.IPv6Address("2001:db8::"))
IPV6_SUBSCRIBER_PREFIX = 64


def client_network(address: str) -> str:
    """Return the address an IPv4 client is known by, or the /64 of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))
    return str(ip)


def login_client_address(request: HttpRequest) -> str:
    """Return the pseudonymous address axes counts sign-in failures under."""
    network = client_network(client_ip(request))
    salt = salt_for(timezone.now().date())
    digest = hashlib.blake2b(network.encode(), key=salt, digest_size=12).digest()
    return str(ipaddress.IPv6Address(DOCUMENTATION_PREFIX | int.from_bytes(digest, "big")))


def lockout_minutes(request: HttpRequest | None = None) -> timedelta:
    """Return how long a locked-out client waits (AXES_COOLOFF_TIME)."""
    return timedelta(minutes=settings.NEWSDESK_LOGIN_LOCKOUT_MINUTES)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Tell a locked-out client plainly why and for how long (429 Too Many Requests)."""
    context = {
        "failure_limit": settings.NEWSDESK_LOGIN_FAILURE_LIMIT,
        "minutes": settings.NEWSDESK_LOGIN_LOCKOUT_MINUTES,
        "title": "Sign-in locked",
    }
    return render(request, "site/login_locked.html", context, status=429)
