"""Daily visitor ids: keyed hashes with a random salt per UTC day, forgotten after a day.

``visitor = blake2b(key=salt(day), data=site | IP | User-Agent)`` truncated to
32 hex digits. The salt is random (not derived from the date, unlike Umami's
guessable monthly salt), lives only in the database and in process memory, and
is deleted 24 hours after its day ends, after which nobody, the operator
included, can tell whether two days' ids were the same person. Neither the IP
address nor the User-Agent is stored.

The client IP is ``REMOTE_ADDR``. Behind a reverse proxy that is the proxy's
address; list the proxy in ``NEWSDESK_TRUSTED_PROXIES`` so that the address it
appends to ``X-Forwarded-For`` is used instead (never trust the header blindly:
clients can write anything into it).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import threading
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from newsdesk.hits.models import DailySalt

_salts: dict[date, bytes] = {}
_salts_lock = threading.Lock()


def salt_for(day: date) -> bytes:
    """Return the salt of ``day``, creating it once (race-safely across processes)."""
    salt = _salts.get(day)
    if salt is not None:
        return salt
    stored = _stored_salt(day)
    with _salts_lock:
        _salts[day] = stored
        for old in [d for d in _salts if d < day - timedelta(days=1)]:
            del _salts[old]
    return stored


def _stored_salt(day: date) -> bytes:
    row = DailySalt.objects.filter(day=day).first() or create_salt(day)
    return bytes.fromhex(row.salt)


def create_salt(day: date) -> DailySalt:
    """Store a new random salt for ``day``, or return the one another process stored first."""
    try:
        with transaction.atomic():
            return DailySalt.objects.create(day=day, salt=secrets.token_hex(32))
    except IntegrityError:
        return DailySalt.objects.get(day=day)


def forget_salts(before: date) -> None:
    """Drop cached salts of days before ``before`` (after they are deleted from the database)."""
    with _salts_lock:
        for old in [d for d in _salts if d < before]:
            del _salts[old]


def visitor_id(salt: bytes, site: str, ip: str, user_agent: str) -> str:
    """Return the daily visitor id: 32 hex digits of a keyed BLAKE2b hash."""
    digest = hashlib.blake2b(digest_size=16, key=salt)
    digest.update("\n".join((site.lower(), ip, user_agent)).encode("utf-8", "replace"))
    return digest.hexdigest()


def visitor_for(request: HttpRequest, when: datetime) -> str:
    """Return the visitor id of a request at ``when`` (a UTC datetime)."""
    salt = salt_for(when.date())
    return visitor_id(salt, request.get_host(), client_ip(request), user_agent_of(request))


def user_agent_of(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


def client_ip(request: HttpRequest) -> str:
    """Return the client address: REMOTE_ADDR, or the proxy-reported one from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted: list[str] = getattr(settings, "NEWSDESK_TRUSTED_PROXIES", [])
    forwarded = request.headers.get("X-Forwarded-For", "")
    if not trusted or not forwarded or not _in_networks(remote, trusted):
        return remote
    # Walk from the nearest hop back, skipping our own proxies; the first
    # address not ours is the client as far as anyone trustworthy saw it.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in_networks(hop, trusted):
            return hop
    return hops[0] if hops else remote


def _in_networks(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
