"""Dashboard queries over the hit rollups.

Everything here reads the rollups (``SiteHourly``, ``SiteDaily``,
``ArticleHourly``, ``DimensionDaily``, ``FilteredDaily``) except the realtime
figure, which reads the last five minutes of raw ``PageView`` rows through the
``ts`` index. Days are UTC days, as the rollups are.

Visitor ids rotate every day, so the same reader has a new id tomorrow: the
sum of daily uniques over several days counts people once per day they came.
Such a sum is called "visitor-days" here and never "unique visitors".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import date_format

from newsdesk.core.urls import host_name
from newsdesk.hits.models import (
    Dimension,
    DimensionDaily,
    FilteredDaily,
    FilterReason,
    PageView,
    SiteDaily,
    SiteHourly,
)
from newsdesk.hits.popular import READERS, VIEWS, daily_totals
from newsdesk.hits.popular import top_articles as ranked_articles
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article

REALTIME_WINDOW = timedelta(minutes=5)
TOP_LIMIT = 10
MAX_RANGE_DAYS = 366
PRESETS = {"day": 1, "30d": 30, "90d": 90}


class RangeError(ValueError):
    """A dashboard range that cannot be read (bad date, end before start, too long)."""


@dataclass(frozen=True)
class Range:
    """A span of UTC days shown hourly (one day) or daily (several days)."""

    first: date
    last: date  # inclusive
    key: str  # "day", "30d", "90d" or "custom"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def hourly(self) -> bool:
        return self.days == 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, dt.time(), tzinfo=dt.UTC)

    @property
    def end(self) -> datetime:
        """Return the first instant after the range (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    @property
    def label(self) -> str:
        if self.hourly:
            return f"{_day(self.first)} (UTC), hourly"
        return f"{_day(self.first)} to {_day(self.last)} (UTC), daily"


def _day(day: date) -> str:
    """A day as every staff page writes it (DATE_FORMAT, newsdesk/core/formats/)."""
    return date_format(day, "DATE_FORMAT")


@dataclass(frozen=True)
class Point:
    """One bucket of the series: an hour or a day."""

    start: datetime
    label: str
    views: int
    visitors: int


@dataclass(frozen=True)
class Totals:
    """Views and visitors of a range, with the visitor figure honestly named."""

    views: int
    visitors: int
    visitors_label: str
    filtered: int

    @property
    def filtered_share(self) -> float:
        """Return the part of all requests that were filtered as bots, 0..1."""
        total = self.views + self.filtered
        return self.filtered / total if total else 0.0


@dataclass(frozen=True)
class Realtime:
    """Views and distinct visitors of the last five minutes."""

    views: int
    visitors: int


@dataclass(frozen=True)
class TopArticle:
    """An article of the top list: its readers (visitor-days) and raw views in the range."""

    article: Article
    readers: int
    views: int


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one range."""

    range: Range
    series: list[Point]
    totals: Totals
    realtime: Realtime
    top_articles: list[TopArticle]
    referrers: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    devices: list[tuple[str, int]]
    browsers: list[tuple[str, int]]
    filtered: list[tuple[str, int]] = field(default_factory=list)


def _parse_day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RangeError(f"{name} is not a date (YYYY-MM-DD): {raw!r}") from None


def parse_range(params: Mapping[str, str], today: date | None = None) -> Range:
    """Read ``?range=day|30d|90d`` or ``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (default: today)."""
    today = today or timezone.now().astimezone(dt.UTC).date()
    if params.get("start") or params.get("end"):
        first = _parse_day(params.get("start") or params.get("end", ""), "start")
        last = _parse_day(params.get("end") or params.get("start", ""), "end")
        if last < first:
            raise RangeError("end is before start")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise RangeError(f"a range is at most {MAX_RANGE_DAYS} days")
        return Range(first, last, "custom")
    key = params.get("range", "day")
    if key not in PRESETS:
        raise RangeError(f"unknown range {key!r}: use day, 30d or 90d")
    return Range(today - timedelta(days=PRESETS[key] - 1), today, key)


def series(span: Range) -> list[Point]:
    """Return one point per hour (one-day range) or per day, zero-filled."""
    if span.hourly:
        return _hourly_series(span)
    return _daily_series(span)


def begun(points: list[Point], now: datetime | None = None) -> list[Point]:
    """The points whose hour or day has started: later ones have no data yet, not zero."""
    moment = now or timezone.now()
    return [point for point in points if point.start <= moment]


def _hourly_series(span: Range) -> list[Point]:
    rows = SiteHourly.objects.filter(hour__gte=span.start, hour__lt=span.end)
    by_hour = {row.hour.astimezone(dt.UTC): row for row in rows}
    points = []
    for offset in range(24):
        start = span.start + timedelta(hours=offset)
        row = by_hour.get(start)
        views, visitors = (row.views, row.visitors) if row else (0, 0)
        points.append(Point(start, start.strftime("%H:00"), views, visitors))
    return points


def _daily_series(span: Range) -> list[Point]:
    rows = SiteDaily.objects.filter(day__gte=span.first, day__lte=span.last)
    by_day = {row.day: row for row in rows}
    points = []
    for offset in range(span.days):
        day = span.first + timedelta(days=offset)
        row = by_day.get(day)
        views, visitors = (row.views, row.visitors) if row else (0, 0)
        start = datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        points.append(Point(start, _day(day), views, visitors))
    return points


def totals(span: Range, points: list[Point] | None = None) -> Totals:
    """Sum views; give uniques for one day, else visitor-days honestly labelled."""
    if points is None:
        points = series(span)
    views = sum(point.views for point in points)
    filtered = _filtered_total(span)
    if span.hourly:
        # Hourly visitors overlap; the day's row holds the true distinct count.
        row = SiteDaily.objects.filter(day=span.first).first()
        return Totals(views, row.visitors if row else 0, "Unique visitors", filtered)
    visitor_days = sum(point.visitors for point in points)
    return Totals(views, visitor_days, "Visitor-days (sum of daily unique visitors)", filtered)


def realtime(now: datetime | None = None) -> Realtime:
    """Count views and distinct visitors of the last five minutes from raw rows."""
    since = (now or timezone.now()) - REALTIME_WINDOW
    recent = PageView.objects.filter(ts__gte=since)
    figures = recent.aggregate(views=Count("id"), visitors=Count("visitor", distinct=True))
    return Realtime(figures["views"] or 0, figures["visitors"] or 0)


def top_articles(span: Range, limit: int = TOP_LIMIT) -> list[TopArticle]:
    """Return the published articles with most readers in the range, with their raw views."""
    pairs = ranked_articles(span.start, span.end, limit, READERS)
    ids = {pk for pk, _ in pairs}
    views = daily_totals(span.first, span.last + timedelta(days=1), ids, VIEWS) if ids else {}
    articles = Article.objects.select_related("source").in_bulk(ids)
    return [
        TopArticle(articles[pk], readers, views.get(pk, 0))
        for pk, readers in pairs
        if pk in articles
    ]


def top_values(span: Range, dimension: str, limit: int = TOP_LIMIT) -> list[tuple[str, int]]:
    """Return the values of one dimension with most views in the range."""
    rows = (
        DimensionDaily.objects.filter(dimension=dimension, day__gte=span.first, day__lte=span.last)
        .values_list("value")
        .annotate(total=Sum("views"))
        .order_by("-total", "value")[:limit]
    )
    pairs = [(str(value), int(total)) for value, total in rows]
    if dimension == Dimension.REFERRER:
        # Rows stored before referrers were checked may hold any text: show host names only.
        pairs = [(value, total) for value, total in pairs if not value or host_name(value) == value]
    if dimension in (Dimension.SOURCE, Dimension.CATEGORY):
        return _named(pairs, Source if dimension == Dimension.SOURCE else Category)
    return pairs


def _named(
    pairs: list[tuple[str, int]], model: type[Source] | type[Category]
) -> list[tuple[str, int]]:
    """Replace the ids the recorder stores for sources and categories with their names."""
    ids = [int(value) for value, _ in pairs if value.isdigit()]
    names = {
        str(pk): name for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name")
    }
    return [(names.get(value, f"#{value}" if value else ""), views) for value, views in pairs]


def _filtered_total(span: Range) -> int:
    rows = FilteredDaily.objects.filter(day__gte=span.first, day__lte=span.last)
    return int(rows.aggregate(total=Sum("requests"))["total"] or 0)


def filtered_by_reason(span: Range) -> list[tuple[str, int]]:
    """Return requests not counted as readers, per reason label, largest first."""
    rows = (
        FilteredDaily.objects.filter(day__gte=span.first, day__lte=span.last)
        .values_list("reason")
        .annotate(total=Sum("requests"))
        .order_by("-total", "reason")
    )
    labels = dict(FilterReason.choices)
    return [(str(labels.get(reason, reason)), int(total)) for reason, total in rows]


def build_dashboard(span: Range) -> Dashboard:
    """Gather every dashboard figure for one range."""
    points = series(span)
    return Dashboard(
        range=span,
        series=points,
        totals=totals(span, points),
        realtime=realtime(),
        top_articles=top_articles(span),
        referrers=top_values(span, Dimension.REFERRER),
        sources=top_values(span, Dimension.SOURCE),
        categories=top_values(span, Dimension.CATEGORY),
        devices=top_values(span, Dimension.DEVICE),
        browsers=top_values(span, Dimension.BROWSER),
        filtered=filtered_by_reason(span),
    )
