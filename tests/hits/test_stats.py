"""Dashboard figures come from the rollups with honest visitor labels."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, timedelta

import pytest

from newsdesk.hits import stats
from newsdesk.hits.models import (
    Dimension,
    DimensionDaily,
    FilteredDaily,
    FilterReason,
    PageView,
    SiteDaily,
    SiteHourly,
)
from newsdesk.stories.models import ArticleStatus
from tests.hits.showing import NOW, add_views, make_article, make_source

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def daily(day: date, views: int, visitors: int) -> None:
    SiteDaily.objects.create(day=day, views=views, visitors=visitors)


@pytest.mark.parametrize(
    ("params", "points", "first", "last"),
    [
        ({}, 24, TODAY, TODAY),
        ({"range": "day"}, 24, TODAY, TODAY),
        ({"range": "30d"}, 30, TODAY - timedelta(days=29), TODAY),
        ({"range": "90d"}, 90, TODAY - timedelta(days=89), TODAY),
        ({"start": "2026-02-01", "end": "2026-02-10"}, 10, date(2026, 2, 1), date(2026, 2, 10)),
        ({"start": "2026-02-01", "end": "2026-02-01"}, 24, date(2026, 2, 1), date(2026, 2, 1)),
    ],
)
def test_series_has_one_point_per_bucket(
    params: dict[str, str], points: int, first: date, last: date
) -> None:
    """A day is 24 hourly points; longer ranges have one point per day."""
    span = stats.parse_range(params, today=TODAY)
    assert (span.first, span.last) == (first, last)
    assert len(stats.series(span)) == points


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-10", "end": "2026-02-01"},
        {"start": "yesterday"},
        {"range": "1y"},
        {"start": "2024-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_ranges_are_refused(params: dict[str, str]) -> None:
    """Reversed, malformed, unknown and over-long ranges raise RangeError."""
    with pytest.raises(stats.RangeError):
        stats.parse_range(params, today=TODAY)


def test_daily_series_sums_and_zero_fills() -> None:
    """Days without rows are zero; totals add views and call visitor sums visitor-days."""
    daily(TODAY, 100, 40)
    daily(TODAY - timedelta(days=2), 50, 30)
    daily(TODAY - timedelta(days=40), 999, 999)  # outside the range
    span = stats.parse_range({"range": "30d"}, today=TODAY)
    points = stats.series(span)
    assert [p.views for p in points[-3:]] == [50, 0, 100]
    totals = stats.totals(span, points)
    assert totals.views == 150
    assert totals.visitors == 70
    assert totals.visitors_label == "Visitor-days (sum of daily unique visitors)"
    assert "unique visitors" not in totals.visitors_label.split("(")[0].lower()


def test_one_day_uses_the_days_true_unique_count() -> None:
    """For a single day the total visitors is the day's distinct count, not a sum of hours."""
    start = datetime.combine(TODAY, dt.time(), tzinfo=dt.UTC)
    SiteHourly.objects.create(hour=start + timedelta(hours=8), views=10, visitors=6)
    SiteHourly.objects.create(hour=start + timedelta(hours=9), views=5, visitors=4)
    SiteHourly.objects.create(hour=start - timedelta(hours=1), views=77, visitors=7)  # yesterday
    daily(TODAY, 15, 7)  # the same readers came back in the second hour
    span = stats.parse_range({"range": "day"}, today=TODAY)
    points = stats.series(span)
    assert points[8].views == 10 and points[9].visitors == 4 and points[8].label == "08:00"
    totals = stats.totals(span, points)
    assert (totals.views, totals.visitors, totals.visitors_label) == (15, 7, "Unique visitors")


def test_top_articles_in_range_skip_hidden_ones() -> None:
    """Top articles sum the range's hourly views and leave hidden articles out."""
    first, second = make_article("First"), make_article("Second")
    hidden = make_article("Hidden", status=ArticleStatus.HIDDEN)
    add_views(first, 2, 5)
    add_views(first, 3, 5)
    add_views(second, 1, 7)
    add_views(hidden, 1, 100)
    add_views(second, 24 * 5, 100)  # before the range
    span = stats.parse_range({"range": "day"}, today=TODAY)
    assert [(t.article.title, t.readers, t.views) for t in stats.top_articles(span)] == [
        ("First", 10, 10),
        ("Second", 7, 7),
    ]


def test_dimensions_sum_over_days_and_name_sources() -> None:
    """Dimension values add up over the range; source ids are shown as names."""
    source = make_source("Daily Planet")
    for offset, views in [(0, 3), (1, 4)]:
        day = TODAY - timedelta(days=offset)
        DimensionDaily.objects.create(
            day=day, dimension=Dimension.REFERRER, value="a.example", views=views
        )
        DimensionDaily.objects.create(
            day=day, dimension=Dimension.SOURCE, value=str(source.pk), views=views
        )
    DimensionDaily.objects.create(day=TODAY, dimension=Dimension.REFERRER, value="", views=2)
    span = stats.parse_range({"range": "30d"}, today=TODAY)
    assert stats.top_values(span, Dimension.REFERRER) == [("a.example", 7), ("", 2)]
    assert stats.top_values(span, Dimension.SOURCE) == [("Daily Planet", 7)]


def test_filtered_bot_traffic_is_reported() -> None:
    """Filtered requests are summed per reason and as a share of all requests."""
    FilteredDaily.objects.create(day=TODAY, reason=FilterReason.CRAWLER, requests=30)
    FilteredDaily.objects.create(day=TODAY, reason=FilterReason.HEAD, requests=10)
    daily(TODAY, 60, 20)
    span = stats.parse_range({"range": "30d"}, today=TODAY)
    assert stats.filtered_by_reason(span) == [("Known crawler", 30), ("HEAD request", 10)]
    totals = stats.totals(span)
    assert totals.filtered == 40
    assert totals.filtered_share == pytest.approx(0.4)


def test_realtime_counts_the_last_five_minutes() -> None:
    """Realtime counts raw views of the last five minutes and their distinct visitors."""

    def view(minutes_ago: int, visitor: str) -> PageView:
        return PageView(
            ts=NOW - timedelta(minutes=minutes_ago),
            kind="home",
            path="/",
            visitor=visitor,
            device="desktop",
        )

    PageView.objects.bulk_create([view(1, "a"), view(2, "a"), view(4, "b"), view(6, "c")])
    assert stats.realtime(now=NOW) == stats.Realtime(views=3, visitors=2)
