"""Article dates stay honest: published, updated and first-seen are kept apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.ingest.dates import CLOCK_SKEW, EARLIEST_PLAUSIBLE, choose_dates

SEEN = datetime(2024, 6, 22, 16, 49, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2024, 6, 21, 8, 0, tzinfo=UTC), datetime(2024, 6, 21, 8, 0, tzinfo=UTC)),
        (None, SEEN),
        (SEEN + timedelta(days=3), SEEN),
        (SEEN + CLOCK_SKEW / 2, SEEN + CLOCK_SKEW / 2),
        (datetime(2024, 6, 22, 9, 0), datetime(2024, 6, 22, 9, 0, tzinfo=UTC)),
        (
            datetime(2024, 6, 22, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2024, 6, 22, 10, 0, tzinfo=UTC),
        ),
    ],
    ids=["past", "missing", "future", "small-skew", "naive-is-utc", "offset-converted"],
)
def test_published_falls_back_to_first_seen(published: datetime | None, expected: datetime) -> None:
    """A missing or future publication date falls back to first-seen; others are kept in UTC."""
    dates = choose_dates(published, None, SEEN)
    assert dates.published == expected
    assert dates.published.tzinfo is not None
    assert dates.first_seen == SEEN


def test_updated_kept_when_after_published() -> None:
    """An update time after publication is kept as its own date."""
    published = SEEN - timedelta(days=1)
    updated = SEEN - timedelta(hours=1)
    dates = choose_dates(published, updated, SEEN)
    assert (dates.published, dates.updated) == (published, updated)


@pytest.mark.parametrize("offset", [timedelta(days=2), timedelta(days=-3)])
def test_updated_dropped_when_future_or_before_published(offset: timedelta) -> None:
    """An update time in the future, or before publication, is not believed."""
    published = SEEN - timedelta(days=1)
    dates = choose_dates(published, SEEN + offset, SEEN)
    assert dates.updated is None


@pytest.mark.parametrize(
    "claimed",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1900, 1, 1, tzinfo=UTC),
        datetime(1994, 12, 31, 23, 59, tzinfo=UTC),
        EARLIEST_PLAUSIBLE - timedelta(seconds=1),
    ],
    ids=["epoch", "year-one", "1900", "end-of-1994", "just-before"],
)
def test_dates_before_1995_are_treated_as_missing(claimed: datetime) -> None:
    """A date before 1995 is a system default or a typo: first-seen stands in, no update kept."""
    dates = choose_dates(claimed, claimed, SEEN)
    assert dates.published == SEEN
    assert dates.updated is None


def test_earliest_plausible_date_is_kept() -> None:
    """1 January 1995 itself is believed."""
    dates = choose_dates(EARLIEST_PLAUSIBLE, None, SEEN)
    assert dates.published == EARLIEST_PLAUSIBLE
