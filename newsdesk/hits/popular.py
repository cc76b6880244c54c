"""Most Popular (by story) and hot ranking, read from the article rollups.

Both rank by readers: distinct visitors per article per UTC day, summed over the
window's days (a reader reloading one article 200 times counts once that day;
visitor ids change daily, so a reader on two days counts twice). Raw views stay
in the rollups for the dashboard. Both read ``ArticleDaily`` for whole days and
``ArticleHourly`` for the hours at a window's edges, never the raw ``PageView``
table, so their cost depends on the number of articles read in the window, not on
the number of views.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, QuerySet, Sum, Value
from django.utils import timezone

from newsdesk.hits.models import ArticleDaily, ArticleHourly, ClosedDaysTop, PageView
from newsdesk.stories.models import Article
from newsdesk.stories.queries import story_of_articles

logger = logging.getLogger(__name__)

WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
WINDOW_LABELS: dict[str, str] = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}

# Hacker News' classic formula: points / (age_hours + 2) ** gravity.
HOT_GRAVITY = 1.8
HOT_WINDOW = timedelta(hours=48)
HOT_CANDIDATES = 200

# Windows spanning fewer whole days than this (24 and 48 hours always do) read
# only the hourly rollup: one query, whatever the time of day.
DAILY_FROM_DAYS = 3

# A day's rollups are taken as final this long after it ends: the flusher writes a
# view within seconds; one written later deletes the stored rankings of its day.
CLOSED_AFTER = timedelta(minutes=10)

# The sidebar shows on every page; one query a minute per window is plenty.
CACHE_SECONDS = 60
# Long windows read this many times the wanted articles from the daily rollup.
CONTENDER_DEPTH = 4
# Most Popular ranks stories from this many top articles per line shown: a story's
# copies each below the pool cannot add up past the stories shown, bar rare ties.
STORY_POOL = 20


class UnknownWindowError(ValueError):
    """A Most Popular window other than 24h, 7d or 30d."""


# What ranks articles: distinct readers per day ("visitors") or raw "views".
READERS = "visitors"
VIEWS = "views"


@dataclass(frozen=True)
class HotArticle:
    """An article with its recent readers and the decayed score that ranks it."""

    article: Article
    readers: int
    score: float


def resolve_window(window: str | None) -> str:
    """Return ``window`` when valid, else the site's default window."""
    if window in WINDOWS:
        return str(window)
    return str(settings.NEWSDESK_POPULAR_WINDOW)


def window_start(window: str, now: datetime | None = None) -> datetime:
    """Return the first hour bucket inside ``window`` (the current hour counts as one)."""
    try:
        span = WINDOWS[window]
    except KeyError:
        raise UnknownWindowError(window) from None
    current_hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    return current_hour - span + timedelta(hours=1)


def _ranked(
    since: datetime, until: datetime | None, count: int, measure: str
) -> list[tuple[int, int]]:
    """Return the ``count`` top article ids by ``measure`` in [since, until), hidden ones included.

    Whole UTC days inside the range are read from the daily rollup and only the
    partial days at its edges from the hourly one, so a 90-day ranking reads about
    as many rows as there are articles, not 24 times that.
    """
    first_day = since.date() if since == _midnight(since) else since.date() + timedelta(days=1)
    end_day = (until or timezone.now()).date()
    if (end_day - first_day).days < DAILY_FROM_DAYS:
        return _top(_hourly_totals(since, until, measure), count)
    edges: Counter[int] = Counter()
    if since < _midnight(first_day):
        edges.update(_hourly_totals(since, _midnight(first_day), measure))
    if until is None or until > _midnight(end_day):
        edges.update(_hourly_totals(_midnight(end_day), until, measure))
    # A deeper daily top costs the same sort and lowers the bar the others must pass.
    top = _daily_top(first_day, end_day, count * CONTENDER_DEPTH, measure)
    totals: Counter[int] = Counter(dict(top))
    missing = _contenders(top, edges, count)
    if missing:
        totals.update(daily_totals(first_day, end_day, missing, measure))
    totals.update(edges)
    return _top(totals, count)


def _contenders(top: list[tuple[int, int]], edges: Mapping[int, int], count: int) -> set[int]:
    """Return the articles outside the daily ``top`` whose whole days could still place them.

    Counts only add up. An article outside the daily top had at most the last
    one's total over the whole days, so it can place only if that plus its edge
    hours reaches the ``count``-th total the daily top already has with its own
    edges; the others (most edge articles, on a long window) need no summing.
    """
    ranked = dict(top)
    outside = {pk: views for pk, views in edges.items() if pk not in ranked}
    if len(top) < count * CONTENDER_DEPTH:
        return set()  # The daily top holds every article read on the whole days.
    reached = sorted((total + edges.get(pk, 0) for pk, total in top), reverse=True)[count - 1]
    ceiling = top[-1][1]
    return {pk for pk, views in outside.items() if ceiling + views >= reached}


def _top(totals: Mapping[int, int], count: int) -> list[tuple[int, int]]:
    return sorted(totals.items(), key=lambda pair: (-pair[1], -pair[0]))[:count]


def _midnight(moment: datetime | date) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _hourly_totals(since: datetime, until: datetime | None, measure: str) -> dict[int, int]:
    rows = ArticleHourly.objects.filter(hour__gte=since)
    if until is not None:
        rows = rows.filter(hour__lt=until)
    # Group by ``article_id + 0``: grouping by the bare column makes SQLite walk the
    # whole (article, hour) index instead of the range of the (hour, article) one.
    article = ExpressionWrapper(F("article_id") + Value(0), output_field=IntegerField())
    grouped = rows.annotate(aid=article).values_list("aid").annotate(total=Sum(measure))
    return {int(pk): int(total) for pk, total in grouped.order_by() if total}


def daily_totals(first: date, end: date, articles: set[int], measure: str) -> dict[int, int]:
    """Sum ``measure`` per article of ``articles`` over the days in [first, end)."""
    grouped = (
        ArticleDaily.objects.filter(day__gte=first, day__lt=end, article_id__in=articles)
        .values_list("article_id")
        .annotate(total=Sum(measure))
    )
    return {int(pk): int(total) for pk, total in grouped.order_by()}


def _daily_top(first: date, end: date, count: int, measure: str) -> list[tuple[int, int]]:
    """Return (id, total) of the ``count`` top articles by ``measure`` over days in [first, end).

    A range of closed days is summed once and read back after (``ClosedDaysTop``):
    over 30 days at 1M articles the sum groups ~90,000 rollup rows (45-55 ms on
    PostgreSQL), the stored ranking is one row.
    """
    if timezone.now() < _midnight(end) + CLOSED_AFTER:
        return _sum_daily_top(first, end, count, measure)
    kept = (
        ClosedDaysTop.objects.filter(first_day=first, end_day=end, measure=measure, depth=count)
        .values_list("ranking", flat=True)
        .first()
    )
    if kept is not None:
        return [(int(pk), int(total)) for pk, total in kept]
    top = _sum_daily_top(first, end, count, measure)
    _keep_closed_top(first, end, count, measure, top)
    return top


def _keep_closed_top(
    first: date, end: date, count: int, measure: str, top: list[tuple[int, int]]
) -> None:
    """Store a closed range's ranking; a failed write only means summing again next time."""
    try:
        with transaction.atomic():
            ClosedDaysTop.objects.bulk_create(
                [
                    ClosedDaysTop(
                        first_day=first,
                        end_day=end,
                        measure=measure,
                        depth=count,
                        ranking=[list(pair) for pair in top],
                    )
                ],
                ignore_conflicts=True,
            )
            # Windows end today or yesterday: older ranges are never asked again.
            ClosedDaysTop.objects.filter(end_day__lt=end - timedelta(days=1)).delete()
    except DatabaseError:
        logger.warning("closed days ranking not stored", extra={"first": first, "end": end})


def _sum_daily_top(first: date, end: date, count: int, measure: str) -> list[tuple[int, int]]:
    grouped = (
        ArticleDaily.objects.filter(day__gte=first, day__lt=end)
        .values_list("article_id")
        .annotate(total=Sum(measure))
        .filter(total__gt=0)
        .order_by("-total", "-article_id")[:count]
    )
    return [(int(pk), int(total)) for pk, total in grouped]


def top_articles(
    since: datetime, until: datetime | None, limit: int, measure: str = READERS
) -> list[tuple[int, int]]:
    """Return ``(article id, total)`` of the top published articles by ``measure``."""
    return [(pk, total) for pk, total, _ in _top_published(since, until, limit, measure)]


def _top_published(
    since: datetime, until: datetime | None, limit: int, measure: str
) -> list[tuple[int, int, int | None]]:
    """Return ``(article id, total, story id)`` of the top published articles by ``measure``."""
    # Rank without joining articles (the join costs more than the sum), then drop
    # hidden ones; fetch more only in the rare case that too many were hidden.
    count = limit * 2 + 5
    while True:
        pairs = _ranked(since, until, count, measure)
        if not pairs:
            return []
        # The same read says which are published and which story each is in.
        stories: dict[int, int | None] = dict(
            Article.objects.published()
            .filter(pk__in=[pk for pk, _ in pairs])
            .order_by()
            .values_list("pk", "story_id")
        )
        kept = [(pk, views, stories[pk]) for pk, views in pairs if pk in stories]
        if len(kept) >= limit or len(pairs) < count:
            return kept[:limit]
        count *= 4


def _with_articles(
    pairs: list[tuple[int, int]], articles: QuerySet[Article] | None = None
) -> list[tuple[Article, int]]:
    """Fetch the articles of ``(id, count)`` pairs, keeping order and dropping hidden ones."""
    articles = articles if articles is not None else Article.objects.for_listing()
    found = articles.order_by().in_bulk([pk for pk, _ in pairs])
    return [(found[pk], views) for pk, views in pairs if pk in found]


def by_story(
    pairs: list[tuple[int, int]], limit: int, stories: Mapping[int, int | None] | None = None
) -> list[tuple[int, int]]:
    """Add up the readers of a story's copies; each story is shown by its most read article.

    ``stories`` maps the articles to their stories when the caller read them already.
    """
    if stories is None:
        stories = story_of_articles([pk for pk, _ in pairs])
    totals: dict[int, list[int]] = {}
    for pk, views in pairs:
        story = stories.get(pk)
        key = story if story is not None else -pk
        if key in totals:
            totals[key][1] += views
        else:
            totals[key] = [pk, views]  # pairs come most viewed first
    ranked = sorted(totals.values(), key=lambda row: (-row[1], -row[0]))
    return [(pk, views) for pk, views in ranked[:limit]]


# What the Most Popular list shows of an article: its title and link.
POPULAR_FIELDS = ("id", "slug", "title")


def most_popular(
    window: str | None = None, limit: int = 5, now: datetime | None = None
) -> list[tuple[Article, int]]:
    """Return the ``limit`` most read stories in ``window``: an article each, and the
    readers of all the story's copies together.

    The articles are read narrow (``POPULAR_FIELDS``): the sidebar on every page
    shows their titles and links, nothing else.
    """
    window = resolve_window(window)
    key = f"hits:popular:{window}:{limit}"
    pairs: list[tuple[int, int]] | None = None if now else cache.get(key)
    if pairs is None:
        ranked = _top_published(window_start(window, now), None, limit * STORY_POOL, READERS)
        stories = {pk: story for pk, _, story in ranked}
        pairs = by_story([(pk, total) for pk, total, _ in ranked], limit, stories)
        if now is None:
            cache.set(key, pairs, CACHE_SECONDS)
    # Articles are fetched fresh so a hidden article leaves the list at once.
    return _with_articles(pairs, Article.objects.published().only(*POPULAR_FIELDS))


def hot_score(readers: int, age_hours: float) -> float:
    """Score recent readers with Hacker News style age decay."""
    return readers / (max(age_hours, 0.0) + 2) ** HOT_GRAVITY


def hot_ranking(limit: int = 10, now: datetime | None = None) -> list[HotArticle]:
    """Rank published articles by readers of the last 48 hours decayed by their age."""
    now = now or timezone.now()
    since = now.replace(minute=0, second=0, microsecond=0) - HOT_WINDOW + timedelta(hours=1)
    pairs = top_articles(since, None, HOT_CANDIDATES)
    scored = []
    for article, readers in _with_articles(pairs):
        age_hours = (now - article.published_at).total_seconds() / 3600
        scored.append(HotArticle(article, readers, hot_score(readers, age_hours)))
    scored.sort(key=lambda hot: (-hot.score, -hot.article.pk))
    return scored[:limit]


def hot_lead() -> Article | None:
    """Return the hottest article for the home page lead, or None before any views."""
    key = "hits:hot-lead"
    pk: int | None = cache.get(key)
    if pk is None:
        ranked = hot_ranking(limit=1)
        # 0 caches "no views yet" so the home page does not rank on every request.
        pk = ranked[0].article.pk if ranked else 0
        cache.set(key, pk, CACHE_SECONDS)
    if not pk:
        return None
    return Article.objects.for_listing().filter(pk=pk).first()


def readers_by_story(story_ids: list[int], since: datetime | None = None) -> dict[int, int]:
    """Count distinct readers per story (visitor ids are daily: visitor-days over days)."""
    views = PageView.objects.filter(article__story_id__in=story_ids)
    if since is not None:
        views = views.filter(ts__gte=since)
    grouped = views.values("article__story_id").annotate(readers=Count("visitor", distinct=True))
    return {int(row["article__story_id"]): int(row["readers"]) for row in grouped.order_by()}
