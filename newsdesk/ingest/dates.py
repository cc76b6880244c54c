"""Honest article dates: what the source claims, checked against when we first saw it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

# Feeds from servers with a skewed clock claim times a few minutes ahead;
# beyond this the claim is treated as wrong rather than as skew.
CLOCK_SKEW = timedelta(minutes=10)
# No web news is older than this: the first news sites date from 1994-1995,
# RSS from 1999. An earlier date is a default of some system (1970-01-01,
# 0001-01-01, 1900-01-01) or a typo, and is treated as missing.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)


# The first time of day a date string states: "10:05", "10:05:30", "T00:00:00".
_TIME_OF_DAY = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?")


@dataclass(frozen=True)
class ArticleDates:
    """The three dates an article carries, all timezone-aware UTC.

    ``published_day_only``: the source gave a day without a time of day, so
    ``published`` is that day's midnight UTC and pages show the date alone.
    """

    published: datetime
    updated: datetime | None
    first_seen: datetime
    published_day_only: bool = False


def is_day_only(stated: str | None) -> bool:
    """Tell whether a date as the source wrote it names a day but no time of day.

    "2024-03-05" and "Tue, 05 Mar 2024" state no time. Midnight to the second
    ("2024-03-05T00:00:00+01:00", "... 00:00:00 GMT") counts too: content systems
    write it for a date-only field, and no newsroom publishes at 00:00:00 sharp
    often enough to be worth a false "00:00".
    """
    text = (stated or "").strip()
    if not text:
        return False
    found = _TIME_OF_DAY.search(text)
    if found is None:
        return True
    return all(int(part or 0) == 0 for part in found.groups())


def day_of(moment: datetime) -> datetime:
    """Return midnight UTC of the day the publisher meant by a midnight in their own zone.

    Offsets are under 12 hours nearly everywhere, so the nearest UTC midnight
    is the publisher's calendar day: 2024-03-05T00:00+02:00 is 03-04 22:00 UTC.
    """
    nearest = moment.astimezone(UTC) + timedelta(hours=12)
    return datetime.combine(nearest.date(), time(), tzinfo=UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` in UTC; a naive value is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def choose_dates(
    published: datetime | None,
    updated: datetime | None,
    first_seen: datetime,
    *,
    day_only: bool = False,
) -> ArticleDates:
    """Keep published, updated and first-seen apart; a missing or implausible date falls back.

    Implausible: in the future (beyond clock skew), or before EARLIEST_PLAUSIBLE.
    ``day_only``: the source stated ``published`` as a day without a time of day
    (``is_day_only``); it is kept as that day's midnight UTC. A fallback to
    first-seen is precise to the minute: it is when the crawler saw the article.
    """
    first_seen = as_utc(first_seen) or first_seen
    limit = first_seen + CLOCK_SKEW
    stated = as_utc(published)
    if stated is not None and day_only:
        stated = day_of(stated)
    claimed = _plausible(stated, limit)
    revised = _plausible(as_utc(updated), limit)
    if claimed is None:
        claimed, day_only = first_seen, False
    if revised is not None and revised <= claimed:
        revised = None
    return ArticleDates(
        published=claimed, updated=revised, first_seen=first_seen, published_day_only=day_only
    )


def _plausible(moment: datetime | None, limit: datetime) -> datetime | None:
    if moment is None or moment > limit or moment < EARLIEST_PLAUSIBLE:
        return None
    return moment
