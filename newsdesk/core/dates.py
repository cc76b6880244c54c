"""Date helpers for display; storage stays UTC and the site's zone applies only here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3

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
# "T" is the zone's abbreviation, like "CET"). No seconds anywhere. ``_day`` and
# ``_clock`` write them directly; a test holds them to ``dateformat.format``.
DAY_FORMAT = "F j, Y"
SHORT_DAY_FORMAT = "M j, Y"
CLOCK_FORMAT = "H:i T"


@dataclass(frozen=True)
class ShownTime:
    """A moment as a page shows it: short text, the full date for a tooltip, and its kind."""

    text: str
    full: str
    relative: bool


def _day(value: datetime, short: bool) -> str:
    """Format Django's "F j, Y" ("M j, Y" when ``short``) without parsing a format string.

    A list page shows two or three dates per card; ``dateformat.format`` parses the
    format and looks each letter up, which made dates a fifth of a page's render.
    Month names still come from Django's translated tables.
    """
    month = MONTHS_3[value.month].title() if short else MONTHS[value.month]
    return f"{month} {value.day}, {value.year:04d}"


def _clock(local: datetime) -> str:
    """Format Django's "H:i T": "14:05 CET" (the zone's abbreviation, as ``dateformat``)."""
    return f"{local.hour:02d}:{local.minute:02d} {local.tzname()}"


def full_time(value: datetime, *, day_only: bool = False) -> str:
    """Return "March 5, 2024, 14:05 CET", or "March 5, 2024" for a day-only date."""
    if day_only:
        # Day-only dates are stored as their midnight UTC: shown in UTC, the day stays.
        return _day(value.astimezone(UTC), short=False)
    local = to_site_zone(value)
    return f"{_day(local, short=False)}, {_clock(local)}"


def clock_time(value: datetime) -> str:
    """Return the time of day in the site's zone: "14:05 CET"."""
    return _clock(to_site_zone(value))


def day_text(value: datetime, *, day_only: bool = False, short: bool = False) -> str:
    """Return the calendar day the site shows for ``value``: "March 5, 2024" ("Mar 5, 2024")."""
    shown = value.astimezone(UTC) if day_only else to_site_zone(value)
    return _day(shown, short=short)


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
    if day_only:
        day = value.astimezone(UTC)
        return ShownTime(_day(day, short=True), _day(day, short=False), False)
    local = to_site_zone(value)
    clock = _clock(local)
    full = f"{_day(local, short=False)}, {clock}"
    age = (now or timezone.now()) - value
    if timedelta(0) <= age < RELATIVE_FOR:
        return ShownTime(relative_text(age), full, True)
    return ShownTime(f"{_day(local, short=True)}, {clock}", full, False)
