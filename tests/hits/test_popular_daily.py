"""Long windows read the daily rollup for whole days and hours only at the edges."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Sum

from newsdesk.hits.buffer import Hit
from newsdesk.hits.models import ArticleDaily, ArticleHourly, ClosedDaysTop
from newsdesk.hits.popular import CLOSED_AFTER, READERS, VIEWS, _ranked
from newsdesk.hits.rollups import apply_batch
from tests.hits.showing import add_views, make_article

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


def brute_force(since: datetime, until: datetime | None, measure: str) -> list[tuple[int, int]]:
    rows = ArticleHourly.objects.filter(hour__gte=since)
    if until is not None:
        rows = rows.filter(hour__lt=until)
    totals = rows.values_list("article_id").annotate(total=Sum(measure)).order_by()
    return sorted(((pk, t) for pk, t in totals), key=lambda p: (-p[1], -p[0]))


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (NOW - timedelta(days=7), None),
        (NOW.replace(minute=0) - timedelta(days=30, hours=5), None),
        (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC)),
        (datetime(2026, 3, 1, 7, tzinfo=UTC), datetime(2026, 3, 10, 13, tzinfo=UTC)),
        (NOW.replace(minute=0) - timedelta(hours=20), None),
    ],
    ids=["7d", "30d-odd-hour", "whole-days", "partial-edges", "within-a-day"],
)
def test_split_ranking_equals_hourly_sums(since: datetime, until: datetime | None) -> None:
    """Daily rows for whole days plus hourly rows at the edges rank exactly like the hours.

    Both for readers (what Most Popular ranks by) and raw views.
    """
    rng = random.Random(3)
    articles = [make_article(f"Story {n}", published=NOW - timedelta(days=40)) for n in range(12)]
    for article in articles:
        for _ in range(40):
            views = rng.randint(1, 9)
            hours_ago = rng.uniform(0, 35 * 24)
            add_views(article, hours_ago, views, now=NOW, readers=rng.randint(1, views))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newsdesk.hits.popular.timezone.now", lambda: NOW)
        for measure in (READERS, VIEWS):
            expected = brute_force(since, until, measure)
            for count in (1, 2, 3, 50):
                assert _ranked(since, until, count, measure) == expected[:count]


def test_an_article_read_mostly_at_the_window_edge_still_ranks() -> None:
    """Views in today's hours lift an article past many that led on the whole days."""
    steady = [make_article(f"Steady {n}", published=NOW - timedelta(days=20)) for n in range(10)]
    for n, article in enumerate(steady):
        for day in range(1, 6):
            add_views(article, day * 24 + 3, 10 + n, now=NOW)
    breaking = make_article("Breaking", published=NOW - timedelta(hours=3))
    add_views(breaking, 50, 1, now=NOW)  # one view on a whole day, the rest today
    add_views(breaking, 1, 400, now=NOW)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newsdesk.hits.popular.timezone.now", lambda: NOW)
        since = NOW.replace(minute=0) - timedelta(days=7)
        expected = brute_force(since, None, VIEWS)
        assert expected[0][0] == breaking.pk
        assert _ranked(since, None, 1, VIEWS) == expected[:1]
        assert _ranked(since, None, 2, VIEWS) == expected[:2]


def test_recorder_keeps_the_daily_rollup() -> None:
    """A flushed batch adds to the article's daily row as well as its hourly rows."""
    article = make_article("Daily story", published=NOW - timedelta(days=1))
    hits = [
        Hit(
            ts=NOW.replace(hour=h),
            kind="article",
            path="/a/",
            article_id=article.pk,
            visitor=f"v{h}",
            referrer_host="",
            device="desktop",
            browser="Firefox",
        )
        for h in (1, 2, 2, 23)
    ]
    apply_batch(hits)
    apply_batch(hits[:1])
    daily = ArticleDaily.objects.get(article=article)
    assert (daily.day, daily.views) == (NOW.date(), 5)


def _hit(article_id: int, ts: datetime, visitor: str) -> Hit:
    return Hit(
        ts=ts,
        kind="article",
        path="/a/",
        article_id=article_id,
        visitor=visitor,
        device="desktop",
        browser="Firefox",
    )


def test_closed_days_are_summed_once_and_a_late_view_sums_them_again() -> None:
    """A range of past days is ranked once; a view flushed late into one of them re-ranks it."""
    first = make_article("First", published=NOW - timedelta(days=9))
    second = make_article("Second", published=NOW - timedelta(days=9))
    add_views(first, 3 * 24, 5, now=NOW)
    add_views(second, 4 * 24, 4, now=NOW)
    since = NOW.replace(minute=0) - timedelta(days=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newsdesk.hits.popular.timezone.now", lambda: NOW)
        patch.setattr("newsdesk.hits.rollups.timezone.now", lambda: NOW)
        assert _ranked(since, None, 2, READERS) == [(first.pk, 5), (second.pk, 4)]
        assert ClosedDaysTop.objects.count() == 1
        late = NOW - timedelta(days=4)
        apply_batch([_hit(second.pk, late, f"late{n}") for n in range(3)])
        assert not ClosedDaysTop.objects.exists()
        assert _ranked(since, None, 2, READERS) == [(second.pk, 7), (first.pk, 5)]
        assert _ranked(since, None, 2, READERS) == brute_force(since, None, READERS)[:2]
        # Today's views change no stored range.
        apply_batch([_hit(first.pk, NOW, "today")])
        assert ClosedDaysTop.objects.count() == 1


def test_days_that_just_ended_are_not_stored() -> None:
    """Until a day is CLOSED_AFTER old, views may still be on their way: it is summed each time."""
    article = make_article("Story", published=NOW - timedelta(days=9))
    add_views(article, 30, 5, now=NOW)
    just_after_midnight = datetime(2026, 3, 14, 0, 5, tzinfo=UTC)
    assert just_after_midnight - CLOSED_AFTER < datetime(2026, 3, 14, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newsdesk.hits.popular.timezone.now", lambda: just_after_midnight)
        assert _ranked(datetime(2026, 3, 7, tzinfo=UTC), None, 1, READERS) == [(article.pk, 5)]
    assert not ClosedDaysTop.objects.exists()
