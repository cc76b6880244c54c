"""The one visitor-id service: daily pseudonyms for the hit tracker and for comments.

Two ids, both keyed BLAKE2b hashes under the day's random salt
(``newsdesk.visitors.salts``), so both become untraceable once the salt is
deleted:

* ``visitor_for`` — a person for counting: site, client address and User-Agent
  (two browsers behind one address are two readers).
* ``reader_for`` — a reader for rate limits and form stamps: site and client
  address only, an IPv6 address cut to its /64. Changing the User-Agent or the
  low IPv6 bits does not make a new reader.

The client address comes from ``newsdesk.core.clients`` (trusted proxies
honoured). Neither the address nor the User-Agent is stored anywhere.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from django.http import HttpRequest
from django.utils import timezone

from newsdesk.core.clients import client_address, client_ip, reader_network
from newsdesk.visitors.salts import salt_for

READER_DOMAIN = "reader"


def visitor_id(salt: bytes, site: str, ip: str, user_agent: str) -> str:
    """Return the daily visitor id: 32 hex digits of a keyed BLAKE2b hash."""
    digest = hashlib.blake2b(digest_size=16, key=salt)
    digest.update("\n".join((site.lower(), ip, user_agent)).encode("utf-8", "replace"))
    return digest.hexdigest()


def reader_id(salt: bytes, site: str, network: str) -> str:
    """Return the daily reader id of an address (or /64): 32 hex digits, never a visitor id."""
    digest = hashlib.blake2b(digest_size=16, key=salt, person=READER_DOMAIN.encode())
    digest.update("\n".join((site.lower(), network)).encode("utf-8", "replace"))
    return digest.hexdigest()


def user_agent_of(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")


def _utc(when: datetime | None) -> datetime:
    return (when or timezone.now()).astimezone(UTC)


def visitor_for(request: HttpRequest, when: datetime | None = None) -> str:
    """Return the hit tracker's visitor id of a request on the UTC day of ``when``."""
    when = _utc(when)
    salt = salt_for(when.date())
    return visitor_id(salt, request.get_host(), client_ip(request), user_agent_of(request))


def reader_for(request: HttpRequest, when: datetime | None = None) -> str:
    """Return the reader id (address or /64, no User-Agent) of a request on ``when``'s day."""
    when = _utc(when)
    network = reader_network(client_address(request))
    return reader_id(salt_for(when.date()), request.get_host(), network)
