"""Daily salts: random, stored once per UTC day, cached per process, deleted after a day.

The salt is random (not derived from the date or the secret key, unlike
Umami's guessable monthly salt or an HMAC of SECRET_KEY and the date), lives
only in the database and in process memory, and is deleted 24 hours after its
day ends. After that nobody, the operator included, can tell whether two days'
ids were the same person, or which address any stored id came from, even with
a backup of the database and the secret key.
"""

from __future__ import annotations

import secrets
import threading
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.visitors.models import DailySalt

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


def first_kept_day(now: datetime | None = None) -> date:
    """Return the oldest day whose salt is still kept (day D's salt lives until D+2 00:00 UTC)."""
    return (now or timezone.now()).date() - timedelta(days=1)


def prune_salts(now: datetime | None = None) -> int:
    """Delete salts 24 hours after their day ended; return how many were deleted."""
    keep_from = first_kept_day(now)
    deleted, _ = DailySalt.objects.filter(day__lt=keep_from).delete()
    forget_salts(keep_from)
    return deleted
