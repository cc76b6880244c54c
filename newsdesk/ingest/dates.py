"""Honest article dates: what the source claims, checked against when we first saw it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Feeds from servers with a skewed clock claim times a few minutes ahead;
# beyond this the claim is treated as wrong rather than as skew.
CLOCK_SKEW = timedelta(minutes=10)


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
    """Keep published, updated and first-seen apart; a missing or future date falls back."""
    first_seen = as_utc(first_seen) or first_seen
    limit = first_seen + CLOCK_SKEW
    claimed = as_utc(published)
    if claimed is None or claimed > limit:
        claimed = first_seen
    revised = as_utc(updated)
    if revised is not None and (revised > limit or revised <= claimed):
        revised = None
    return ArticleDates(published=claimed, updated=revised, first_seen=first_seen)
