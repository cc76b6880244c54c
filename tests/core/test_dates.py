"""The site's date texts, written without ``dateformat``, match Django's own formatting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import dateformat, translation
from django.utils.timezone import override

from newsdesk.core import dates

# Around both DST changes of 2024 in Europe and in New York, a leap day, year ends.
MOMENTS = [
    datetime(2024, 3, 31, 0, 59, tzinfo=UTC),
    datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
    datetime(2024, 10, 27, 0, 59, tzinfo=UTC),
    datetime(2024, 10, 27, 1, 0, tzinfo=UTC),
    datetime(2024, 3, 10, 7, 30, tzinfo=UTC),
    datetime(2024, 2, 29, 23, 5, tzinfo=UTC),
    datetime(2023, 12, 31, 23, 59, tzinfo=UTC),
    datetime(999, 1, 1, 12, 0, tzinfo=UTC),
]


def django_clock(local: datetime) -> str:
    """Django's "H:i T", except that the repeated hour keeps its zone ("02:30 CEST").

    ``dateformat`` leaves "T" empty for a time the clock shows twice when DST ends;
    the abbreviation is what tells those two times apart, so the site keeps it.
    """
    clock = dateformat.format(local, dates.CLOCK_FORMAT)
    return clock + str(local.tzname()) if clock.endswith(" ") else clock


def django_full(value: datetime, day_only: bool) -> str:
    if day_only:
        return dateformat.format(value.astimezone(UTC), dates.DAY_FORMAT)
    local = dates.to_site_zone(value)
    return f"{dateformat.format(local, dates.DAY_FORMAT)}, {django_clock(local)}"


def test_the_repeated_hour_keeps_its_zone() -> None:
    """When DST ends, 02:30 happens twice; each shows its own abbreviation."""
    with override("Europe/Paris"):
        first = dates.clock_time(datetime(2024, 10, 27, 0, 30, tzinfo=UTC))
        second = dates.clock_time(datetime(2024, 10, 27, 1, 30, tzinfo=UTC))
    assert (first, second) == ("02:30 CEST", "02:30 CET")


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("language", ["en", "fr", "de"])
@pytest.mark.parametrize("value", MOMENTS)
def test_date_texts_match_django_dateformat(zone: str, language: str, value: datetime) -> None:
    """Each date text is ``dateformat.format``'s with the documented formats, months translated."""
    with override(zone), translation.override(language):
        local = dates.to_site_zone(value)
        assert dates.clock_time(value) == django_clock(local)
        for day_only in (False, True):
            shown = value.astimezone(UTC) if day_only else local
            assert dates.full_time(value, day_only=day_only) == django_full(value, day_only)
            assert dates.day_text(value, day_only=day_only) == dateformat.format(
                shown, dates.DAY_FORMAT
            )
            short = dateformat.format(shown, dates.SHORT_DAY_FORMAT)
            assert dates.day_text(value, day_only=day_only, short=True) == short
            listed = dates.show_time(value, day_only=day_only, now=value + timedelta(days=3))
            assert listed.full == django_full(value, day_only)
            clock = "" if day_only else f", {django_clock(local)}"
            assert listed.text == short + clock
