"""Date helpers for display; storage stays UTC and the site's zone applies only here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

# Feeds often restamp an entry a few seconds after publishing it; do not call that an update.
UPDATE_TOLERANCE = timedelta(minutes=1)


def site_now() -> datetime:
    """Return the current time in the site's zone (settings.TIME_ZONE)."""
    return timezone.localtime()


def to_site_zone(value: datetime) -> datetime:
    """Convert an aware datetime to the site's zone."""
    return timezone.localtime(value)


def was_updated(published_at: datetime | None, updated_at: datetime | None) -> bool:
    """Tell whether an update time is worth showing next to the publication time."""
    if published_at is None or updated_at is None:
        return False
    return abs(updated_at - published_at) >= UPDATE_TOLERANCE
