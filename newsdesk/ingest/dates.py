"""Honest article dates: what the source claims, checked against when we first saw it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Feeds from servers with a skewed clock claim times a few minutes ahead;
# beyond this the claim is treated as wrong rather than as skew.
CLOCK_SKEW = timedelta(minutes=10)
# No web news is older than this: the first news sites date from 1994-1995,
# RSS from 1999. An earlier date is a default of some system (1970-01-01,
# 0001-01-01, 1900-01-01) or a typo, and is treated as missing.
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ArticleDates:
    """The three dates an article carries, all timezone-aware UTC."""

    published: datetime
    updated: datetime | None
    first_seen: datetime


def as_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` in UTC; a naive value is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def choose_dates(
    published: datetime | None, updated: datetime | None, first_seen: datetime
) -> ArticleDates:
    """Keep published, updated and first-seen apart; a missing or implausible date falls back.

    Implausible: in the future (beyond clock skew), or before EARLIEST_PLAUSIBLE.
    """
    first_seen = as_utc(first_seen) or first_seen
    limit = first_seen + CLOCK_SKEW
    claimed = _plausible(as_utc(published), limit) or first_seen
    revised = _plausible(as_utc(updated), limit)
    if revised is not None and revised <= claimed:
        revised = None
    return ArticleDates(published=claimed, updated=revised, first_seen=first_seen)


def _plausible(moment: datetime | None, limit: datetime) -> datetime | None:
    if moment is None or moment > limit or moment < EARLIEST_PLAUSIBLE:
        return None
    return moment
