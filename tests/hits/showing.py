"""Helpers for the hit tracker's showing tests: articles and rollup rows at known times."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta

from newsdesk.hits.models import ArticleDaily, ArticleHourly
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article, ArticleStatus

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=dt.UTC)


def make_source(name: str = "Example Wire") -> Source:
    category, _ = Category.objects.get_or_create(name="World", slug="world")
    source, _ = Source.objects.get_or_create(
        feed_url=f"http://127.0.0.1/{name.lower().replace(' ', '-')}.xml",
        defaults={"name": name, "category": category},
    )
    return source


def make_article(
    title: str,
    published: datetime = NOW - timedelta(days=1),
    status: str = ArticleStatus.PUBLISHED,
    source: Source | None = None,
) -> Article:
    source = source or make_source()
    return Article.objects.create(
        source=source,
        guid=title,
        url=f"http://127.0.0.1/{title.replace(' ', '-')}",
        slug=title.lower().replace(" ", "-")[:100],
        title=title,
        published_at=published,
        first_seen_at=published,
        status=status,
    )


def add_views(
    article: Article,
    hours_ago: float,
    views: int,
    now: datetime = NOW,
    readers: int | None = None,
) -> None:
    """Add ``views`` (by ``readers`` new readers, default one each) to the hour ``hours_ago``."""
    readers = views if readers is None else readers
    hour = (now - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    row, _ = ArticleHourly.objects.get_or_create(article=article, hour=hour)
    row.views += views
    row.visitors += readers
    row.save(update_fields=["views", "visitors"])
    # The recorder keeps both rollups; long windows read the daily one.
    day, _ = ArticleDaily.objects.get_or_create(article=article, day=hour.date())
    day.views += views
    day.visitors += readers
    day.save(update_fields=["views", "visitors"])
