"""Article dates stay honest: published, updated and first-seen are kept apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.ingest.dates import CLOCK_SKEW, choose_dates

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
