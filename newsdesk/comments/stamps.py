"""The comment form's stamp: when, for which reader and which article a form was issued.

The stamp is signed (Django's signing, so only this site can make one) and
carries a random nonce; a stored comment keeps the nonce under a unique
constraint, so one stamp posts one comment, even when copies race. It names
the reader (the first digits of their daily reader id, see
``newsdesk.visitors.ids``): a stamp fetched by one reader is refused from
another, so a spam script cannot fetch one stamp and hand it to many senders.

Stamps never go into a cacheable page. The form's script fetches one from
``comments:stamp`` when the reader starts writing; a form the server shows
again (after a refusal) carries a fresh one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

from newsdesk.visitors.ids import reader_for

STAMP_SALT = "newsdesk.comments.form-stamp.v2"
TAG_LENGTH = 16
NONCE_BYTES = 16
# A day at most: the reader id of the issuing day is then still computable
# (day D's salt is kept until D+2 00:00 UTC).
MAX_AGE = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=5)


class Problem:
    """Why a stamp is refused (values are stored in the guard's reason)."""

    MISSING = "missing"
    FORGED = "forged"
    EXPIRED = "expired"
    OTHER_READER = "other reader"
    OTHER_ARTICLE = "other article"


@dataclass(frozen=True)
class StampCheck:
    """A verified stamp's issue time and nonce, or the problem that refused it."""

    issued_at: float | None = None
    nonce: str = ""
    problem: str = ""


def issue_stamp(request: HttpRequest, article_id: int, now: datetime | None = None) -> str:
    """Sign a new stamp for the reader making ``request``, for one article."""
    now = now or timezone.now()
    tag = reader_for(request, now)[:TAG_LENGTH]
    payload = [now.timestamp(), secrets.token_hex(NONCE_BYTES), tag, article_id]
    return signing.dumps(payload, salt=STAMP_SALT, compress=False)


def _unpack(raw: str) -> tuple[float, str, str, int] | None:
    try:
        issued, nonce, tag, article_id = signing.loads(raw, salt=STAMP_SALT)
        return float(issued), str(nonce), str(tag), int(article_id)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def check_stamp(
    raw: str, request: HttpRequest, article_id: int, now: datetime | None = None
) -> StampCheck:
    """Verify a posted stamp against the reader and article; never raises."""
    if not raw:
        return StampCheck(problem=Problem.MISSING)
    unpacked = _unpack(raw)
    if unpacked is None or len(unpacked[1]) != NONCE_BYTES * 2:
        return StampCheck(problem=Problem.FORGED)
    issued, nonce, tag, stamped_article = unpacked
    if stamped_article != article_id:
        return StampCheck(problem=Problem.OTHER_ARTICLE)
    now = now or timezone.now()
    issued_at = datetime.fromtimestamp(issued, UTC)
    if now - issued_at > MAX_AGE or issued_at - now > CLOCK_SKEW:
        return StampCheck(problem=Problem.EXPIRED)
    if reader_for(request, issued_at)[:TAG_LENGTH] != tag:
        return StampCheck(problem=Problem.OTHER_READER)
    return StampCheck(issued_at=issued, nonce=nonce)
