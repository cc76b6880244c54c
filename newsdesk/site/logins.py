"""Staff sign-in throttling (django-axes): who is counted, and what a locked-out client sees.

Axes counts failed sign-ins per client address and refuses every sign-in from
that address, right password or not, for NEWSDESK_LOGIN_LOCKOUT_MINUTES after
NEWSDESK_LOGIN_FAILURE_LIMIT failures. It applies to the admin's login, which is
also where the dashboard and the moderation queue send staff.

The client is a reader id of the visitor service (``newsdesk.visitors.ids``): the
trusted-proxy client address (never a client-written X-Forwarded-For), an IPv6
client cut to its /64 so rotating addresses inside it does not help, hashed with
the day's random salt. The site part is the configured site, not the request's
Host header, so a client cannot get a fresh count by naming another allowed host.
Axes stores it in its address column written in the IPv6 documentation prefix
2001:db8::/32, so it can never be mistaken for a real address; like visitor ids it
cannot be traced back once the salt is gone.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from newsdesk.core.clients import client_address, reader_network
from newsdesk.visitors.ids import reader_id
from newsdesk.visitors.salts import salt_for

DOCUMENTATION_PREFIX = int(ipaddress.IPv6Address("2001:db8::"))
PSEUDONYM_BITS = 96  # what the documentation prefix leaves of an IPv6 address


def login_client_address(request: HttpRequest) -> str:
    """Return the pseudonymous address axes counts sign-in failures under."""
    network = reader_network(client_address(request))
    site = urlsplit(settings.NEWSDESK_SITE_URL).netloc
    reader = reader_id(salt_for(timezone.now().date()), site, network)
    bits = int(reader, 16) >> (128 - PSEUDONYM_BITS)
    return str(ipaddress.IPv6Address(DOCUMENTATION_PREFIX | bits))


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
