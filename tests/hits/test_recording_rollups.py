"""Applying a flushed batch: raw views plus exact rollups and distinct visitors."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta

import pytest

from newsdesk.hits.models import (
    ArticleHourly,
    Dimension,
    DimensionDaily,
    FilteredDaily,
    PageView,
    SiteCounter,
    SiteDaily,
    SiteHourly,
)
from newsdesk.hits.rollups import apply_batch, prune_hits
from tests.hits.recording import NOON, filtered, make_article, view

pytestmark = pytest.mark.django_db


def _dimension(dimension: str) -> dict[str, int]:
    rows = DimensionDaily.objects.filter(dimension=dimension)
    return {row.value: row.views for row in rows}


def test_batch_fills_every_rollup() -> None:
    """Views go to raw rows, article hours, site hours/days, dimensions, counter; bots apart."""
    article = make_article()
    later = NOON + timedelta(hours=1)
    apply_batch(
        [
            view(article_id=article.pk, visitor="a" * 32, referrer_host="news.ycombinator.com"),
            view(article_id=article.pk, visitor="a" * 32),
            view(article_id=article.pk, visitor="b" * 32, ts=later),
            view(visitor="c" * 32),
            filtered("crawler"),
            filtered("crawler"),
            filtered("head"),
        ]
    )
    assert PageView.objects.count() == 4
    assert {(r.hour.hour, r.views) for r in ArticleHourly.objects.all()} == {(12, 2), (13, 1)}
    hours = {r.hour.hour: (r.views, r.visitors) for r in SiteHourly.objects.all()}
    assert hours == {12: (3, 2), 13: (1, 1)}
    day = SiteDaily.objects.get()
    assert (day.day, day.views, day.visitors) == (NOON.date(), 4, 3)
    assert SiteCounter.objects.get().views == 4
    assert _dimension(Dimension.REFERRER) == {"news.ycombinator.com": 1, "": 3}
    assert _dimension(Dimension.SOURCE) == {str(article.source_id): 3}
    assert _dimension(Dimension.CATEGORY) == {str(article.source.category_id): 3}
    assert _dimension(Dimension.KIND) == {"article": 3, "home": 1}
    assert _dimension(Dimension.DEVICE) == {"desktop": 4}
    assert {r.reason: r.requests for r in FilteredDaily.objects.all()} == {"crawler": 2, "head": 1}


def test_later_batches_add_and_count_returning_visitors_once() -> None:
    """Counters add up across batches; a visitor already seen that day is not new again."""
    apply_batch([view(visitor="a" * 32), view(visitor="b" * 32)])
    apply_batch([view(visitor="a" * 32), view(visitor="c" * 32)])
    apply_batch([view(visitor="a" * 32, ts=NOON + timedelta(hours=2))])
    day = SiteDaily.objects.get()
    assert (day.views, day.visitors) == (5, 3)
    hours = {r.hour.hour: (r.views, r.visitors) for r in SiteHourly.objects.all()}
    assert hours == {12: (4, 3), 14: (1, 1)}
    assert SiteCounter.objects.get().views == 5


def test_batch_across_midnight_splits_days() -> None:
    """Views are filed under the UTC day and hour of their own time."""
    before = datetime(2026, 3, 10, 23, 59, 59, tzinfo=dt.UTC)
    after = datetime(2026, 3, 11, 0, 0, 1, tzinfo=dt.UTC)
    apply_batch([view(ts=before), view(ts=after, visitor="b" * 32)])
    assert {d.day.day: (d.views, d.visitors) for d in SiteDaily.objects.all()} == {
        10: (1, 1),
        11: (1, 1),
    }


def test_prune_deletes_raw_views_past_retention_only(settings: object) -> None:
    """Raw views older than the retention go; rollups stay."""
    settings.NEWSDESK_HITS_RETENTION_DAYS = 30  # type: ignore[attr-defined]
    apply_batch([view(ts=NOON - timedelta(days=31)), view(ts=NOON - timedelta(days=29))])
    result = prune_hits(now=NOON)
    assert result.views == 1
    assert PageView.objects.count() == 1
    assert SiteDaily.objects.count() == 2
