"""The editors' digest: one email per NEWSDESK_COMMENTS_DIGEST_MINUTES listing held comments.

A scheduled job (the in-process scheduler, or Celery beat) calls
``send_held_digests`` every minute. Each editor with newly held comments on
their articles gets one email, unless they got one less than the period ago;
the comments then wait for the next one. Two runners at once cannot both
send: an editor's slot is claimed with one conditional UPDATE, which only one
of them wins. A failed send gives the slot and the comments back for the
next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from newsdesk.comments.models import Comment, EditorDigest, Status
from newsdesk.comments.notify import absolute, editor_email, send_email

logger = logging.getLogger(__name__)

MAX_LISTED = 50


def digest_period() -> timedelta:
    """Return the shortest time between two digests to one editor (a minute at least)."""
    return timedelta(minutes=max(1, int(settings.NEWSDESK_COMMENTS_DIGEST_MINUTES)))


def waiting_by_editor() -> dict[str, list[Comment]]:
    """Group held comments no digest has listed yet by their article's editor's email."""
    waiting = (
        Comment.objects.filter(status=Status.PENDING, digested_at__isnull=True)
        .exclude(article__source__editor__user__email="")
        .filter(article__source__editor__user__isnull=False)
        .select_related("article__source__editor__user")
        .order_by("created_at", "id")
    )
    grouped: dict[str, list[Comment]] = defaultdict(list)
    for comment in waiting:
        grouped[editor_email(comment)].append(comment)
    grouped.pop("", None)
    return grouped


def _slot(recipient: str) -> EditorDigest:
    try:
        with transaction.atomic():
            return EditorDigest.objects.get_or_create(recipient=recipient)[0]
    except IntegrityError:  # created by a concurrent run
        return EditorDigest.objects.get(recipient=recipient)


def claim_slot(slot: EditorDigest, now: datetime) -> bool:
    """Take the editor's digest slot when the period has passed; only one runner wins it."""
    free = Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - digest_period())
    return EditorDigest.objects.filter(free, pk=slot.pk).update(last_sent_at=now) == 1


def send_digest(recipient: str, comments: list[Comment], now: datetime) -> bool:
    """Mark the comments as listed and email them to one editor; undo the marks on failure."""
    ids = [c.pk for c in comments]
    Comment.objects.filter(pk__in=ids, digested_at__isnull=True).update(digested_at=now)
    context = {
        "comments": comments[:MAX_LISTED],
        "count": len(comments),
        "more": max(0, len(comments) - MAX_LISTED),
        "site_name": settings.NEWSDESK_SITE_NAME,
        "queue_url": absolute(reverse("comments:moderation") + "?tab=pending"),
    }
    if send_email("comments/email/digest", context, recipient):
        EditorDigest.objects.filter(recipient=recipient).update(last_count=len(comments))
        return True
    Comment.objects.filter(pk__in=ids, digested_at=now).update(digested_at=None)
    return False


def send_held_digests(now: datetime | None = None) -> int:
    """Send each due editor one digest of newly held comments; return how many were sent."""
    now = now or timezone.now()
    sent = 0
    for recipient, comments in waiting_by_editor().items():
        slot = _slot(recipient)
        if not claim_slot(slot, now):
            continue
        if send_digest(recipient, comments, now):
            sent += 1
        else:
            # Give the slot back (slot holds the time before the claim): the next run retries.
            EditorDigest.objects.filter(pk=slot.pk, last_sent_at=now).update(
                last_sent_at=slot.last_sent_at
            )
    if sent:
        logger.info("comment digests sent", extra={"emails": sent})
    return sent
