"""Pseudonymous visitor keys for rate limiting, without storing an IP address.

The key is an HMAC of IP and User-Agent keyed by a secret derived from
SECRET_KEY and the current UTC day, so the same visitor gets the same key
within a day and an unlinkable one the next. The raw IP never leaves the
request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

PERIOD_FORMAT = "%Y-%m-%d"


def client_ip(request: HttpRequest) -> str:
    """Return the peer address Django saw (a trusted proxy must set REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def visitor_hash(ip: str, user_agent: str, now: datetime | None = None) -> str:
    """Return the salted hash of one visitor for the period containing ``now``."""
    period = (now or timezone.now()).astimezone(UTC).strftime(PERIOD_FORMAT)
    mac = salted_hmac(
        f"newsdesk.comments.visitor:{period}",
        f"{ip}\n{user_agent}",
        secret=settings.SECRET_KEY,
        algorithm="sha256",
    )
    return mac.hexdigest()[:32]


def request_visitor_hash(request: HttpRequest) -> str:
    """Return the salted hash of the visitor making ``request``."""
    return visitor_hash(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
