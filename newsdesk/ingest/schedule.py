"""Which sources are due, and what a fetch leaves on its source.

The source-side state of the crawl: the last status and error, the back-off,
the stop of a gone or broken source (health.py decides), a feed's new URL
after a permanent redirect, and the claims that hand due sources to Celery.
With pipeline.py (the articles), the only ingest module that touches the ORM.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from newsdesk.core.writes import update_rows
from newsdesk.ingest.errors import IngestError
from newsdesk.ingest.health import average_response, judge_failure
from newsdesk.ingest.types import FetchResult
from newsdesk.sources.models import FetchStatus, Source

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
ERROR_LIMIT = 2000

# What record_successes() takes per source: record_success's arguments.
Fetched = tuple[Source, FetchResult, str, datetime, float | None]

_SCHEDULE_FIELDS = [
    "etag",
    "last_modified",
    "last_http_status",
    "last_status",
    "last_error",
    "consecutive_failures",
    "failing_since",
    "last_fetched_at",
    "next_fetch_at",
]


def describe_error(error: IngestError) -> str:
    """The text stored on a source for ``error``: its kind and message."""
    return f"{type(error).__name__}: {error}"[:ERROR_LIMIT]


def record_success(
    source: Source,
    response: FetchResult,
    status: str,
    now: datetime,
    *,
    items_per_day: float | None = None,
) -> None:
    """Store a fetched feed's validators, status and measures; schedule the next fetch.

    ``items_per_day`` comes from a feed that was read (not a 304); None keeps
    the stored estimate.
    """
    fields = _apply_success(source, response, status, now, items_per_day)
    source.save(update_fields=fields)


def record_successes(fetched: list[Fetched]) -> None:
    """``record_success`` for many sources, in one transaction of one batched UPDATE.

    In a poll of unchanged feeds (all 304) a statement and a commit per source
    were about a quarter of the crawler's CPU, plus a wait for each commit.
    """
    groups: dict[tuple[str, ...], list[Source]] = {}
    for source, response, status, now, items_per_day in fetched:
        fields = _apply_success(source, response, status, now, items_per_day)
        groups.setdefault(tuple(fields), []).append(source)
    with transaction.atomic():
        for names, sources in groups.items():
            rows = [(*(getattr(source, name) for name in names), source.pk) for source in sources]
            update_rows(Source, names, rows)


def _apply_success(
    source: Source,
    response: FetchResult,
    status: str,
    now: datetime,
    items_per_day: float | None,
) -> list[str]:
    """Set what a successful fetch leaves on ``source``; return the fields it set."""
    fields = [*_SCHEDULE_FIELDS, "last_success_at", "response_ms"]
    source.response_ms = average_response(source.response_ms, response.elapsed)
    if items_per_day is not None:
        source.items_per_day = items_per_day
        fields.append("items_per_day")
    source.last_success_at = now
    source.etag = response.etag[:500]
    source.last_modified = response.last_modified[:100]
    source.last_http_status = response.status
    source.last_status = status
    source.last_error = ""
    source.consecutive_failures = 0
    source.failing_since = None
    source.last_fetched_at = now
    source.next_fetch_at = now + source.fetch_interval
    return fields


def record_failure(
    source: Source,
    error: IngestError,
    *,
    retry_at: datetime | None = None,
    http_status: int | None = None,
) -> str:
    """Store the error, back off, and stop a gone or broken source; return why it stopped."""
    now = timezone.now()
    source.last_status = FetchStatus.ERROR
    source.last_error = describe_error(error)
    source.last_http_status = getattr(error, "status", http_status)
    source.consecutive_failures += 1
    source.last_fetched_at = now
    backoff = min(
        source.fetch_interval * 2 ** min(source.consecutive_failures - 1, 10), MAX_BACKOFF
    )
    source.next_fetch_at = max(retry_at or now, now + backoff)
    verdict = judge_failure(
        error, failing_since=source.failing_since, now=now, give_up_after=_give_up_after()
    )
    source.failing_since = verdict.failing_since
    fields = list(_SCHEDULE_FIELDS)
    stopped = ""
    if verdict.stop:
        stopped = verdict.reason[:ERROR_LIMIT]
        source.fetch_stopped_at, source.fetch_stopped_reason = now, stopped
        fields += ["fetch_stopped_at", "fetch_stopped_reason"]
        logger.warning("source stopped", extra={"source": source.pk, "reason": stopped})
    source.save(update_fields=fields)
    logger.warning("source failed", extra={"source": source.pk, "error": source.last_error})
    return stopped


def _give_up_after() -> timedelta | None:
    days = int(settings.NEWSDESK_SOURCE_GIVE_UP_DAYS)
    return timedelta(days=days) if days > 0 else None


def follow_move(source: Source, new_url: str, now: datetime) -> tuple[str, str]:
    """Store the feed's new URL after a permanent redirect (RFC 9110 §15.4.2, §15.4.9).

    Return (the new URL, "") when it was stored. When another source already
    has that URL the two would fetch the same feed: stop fetching this one (its
    articles stay) and return ("", why).
    """
    old_url = source.feed_url
    twin = Source.objects.filter(feed_url=new_url).exclude(pk=source.pk).first()
    if twin is None:
        try:
            with transaction.atomic():
                Source.objects.filter(pk=source.pk).update(
                    feed_url=new_url, previous_feed_url=old_url
                )
        except IntegrityError:
            twin = Source.objects.filter(feed_url=new_url).exclude(pk=source.pk).first()
        else:
            source.feed_url, source.previous_feed_url = new_url, old_url
            logger.warning(
                "feed moved", extra={"source": source.pk, "from": old_url, "to": new_url}
            )
            return new_url, ""
    reason = (
        f"The feed moved for good to {new_url}, which is already the source "
        f"{twin.name if twin else '(another source)'}; this one is no longer fetched."
    )
    source.fetch_stopped_at, source.fetch_stopped_reason = now, reason
    source.save(update_fields=["fetch_stopped_at", "fetch_stopped_reason"])
    logger.warning("feed moved onto another source", extra={"source": source.pk, "to": new_url})
    return "", reason


def fetchable_sources() -> QuerySet[Source]:
    """Sources the crawler fetches: active, and not stopped for being gone or broken."""
    return Source.objects.filter(active=True, fetch_stopped_at__isnull=True)


def due_sources(now: datetime | None = None) -> list[Source]:
    """Fetchable sources whose next fetch time has come."""
    moment = now or timezone.now()
    return list(fetchable_sources().filter(next_fetch_at__lte=moment).order_by("pk"))


def claim_due_sources(limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due sources for one enqueuer; return their ids.

    A claim moves the sources' next fetch time one interval ahead (a lease: a
    refresh sets the real one), so no other enqueuer takes them. On PostgreSQL
    ``SELECT ... FOR UPDATE SKIP LOCKED`` lets several enqueuers claim at once,
    each passing over the rows another is claiming; SQLite has no row locks,
    but its IMMEDIATE transactions (config/settings.py) take the write lock at
    BEGIN, so claims run one after another.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        due = (
            fetchable_sources()
            .filter(next_fetch_at__lte=moment)
            .order_by("next_fetch_at", "pk")
            .select_for_update(skip_locked=True)
        )
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Source.objects.filter(pk__in=ids).update(next_fetch_at=moment + F("fetch_interval"))
    return ids
