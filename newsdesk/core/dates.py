"""Date helpers for display; storage stays UTC and the site's zone applies only here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import dateformat, timezone

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


# Lists say "3 h ago" for this long, then the date.
RELATIVE_FOR = timedelta(days=1)
# The formats of every date shown on the public site (Django's date format letters;
# "T" is the zone's abbreviation, like "CET"). No seconds anywhere.
DAY_FORMAT = "F j, Y"
SHORT_DAY_FORMAT = "M j, Y"
CLOCK_FORMAT = "H:i T"


@dataclass(frozen=True)
class ShownTime:
    """A moment as a page shows it: short text, the full date for a tooltip, and its kind."""

    text: str
    full: str
    relative: bool


def full_time(value: datetime, *, day_only: bool = False) -> str:
    """Return "March 5, 2024, 14:05 CET", or "March 5, 2024" for a day-only date."""
    if day_only:
        # Day-only dates are stored as their midnight UTC: shown in UTC, the day stays.
        return dateformat.format(value.astimezone(UTC), DAY_FORMAT)
    local = to_site_zone(value)
    return f"{dateformat.format(local, DAY_FORMAT)}, {dateformat.format(local, CLOCK_FORMAT)}"


def clock_time(value: datetime) -> str:
    """Return the time of day in the site's zone: "14:05 CET"."""
    return dateformat.format(to_site_zone(value), CLOCK_FORMAT)


def day_text(value: datetime, *, day_only: bool = False, short: bool = False) -> str:
    """Return the calendar day the site shows for ``value``: "March 5, 2024" ("Mar 5, 2024")."""
    shown = value.astimezone(UTC) if day_only else to_site_zone(value)
    return dateformat.format(shown, SHORT_DAY_FORMAT if short else DAY_FORMAT)


def relative_text(age: timedelta) -> str:
    """Say how long ago, for ages under a day: "just now", "12 min ago", "3 h ago"."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h ago"


def show_time(value: datetime, *, day_only: bool = False, now: datetime | None = None) -> ShownTime:
    """Describe a moment for a list: relative within the last day, else a short date.

    A day-only date never claims a time: it shows its day ("Mar 5, 2024").
    """
    full = full_time(value, day_only=day_only)
    if day_only:
        return ShownTime(dateformat.format(value.astimezone(UTC), SHORT_DAY_FORMAT), full, False)
    age = (now or timezone.now()) - value
    if timedelta(0) <= age < RELATIVE_FOR:
        return ShownTime(relative_text(age), full, True)
    local = to_site_zone(value)
    short = (
        f"{dateformat.format(local, SHORT_DAY_FORMAT)}, {dateformat.format(local, CLOCK_FORMAT)}"
    )
    return ShownTime(short, full, False)
