"""Store one flushed batch: raw views plus every rollup, in one transaction.

Counters are added with ``INSERT ... ON CONFLICT (...) DO UPDATE SET n = n +
excluded.n``, which SQLite (3.24+) and PostgreSQL both run, so concurrent
flushers in several processes never lose an increment. Distinct visitors are
kept exact by inserting each (period, visitor) pair into a seen-set with
``ON CONFLICT DO NOTHING``: the number of rows actually inserted is the number
of new visitors of that hour or day. Readers of an article are kept the same way
per (day, article, visitor), with ``RETURNING`` naming the pairs that were new, so
each is credited to the hour it first read the article: a reader reloading a page
200 times adds 200 views and 1 reader.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from newsdesk.hits.buffer import Hit
from newsdesk.hits.models import (
    ArticleDaily,
    ArticleHourly,
    ArticleVisitor,
    ClosedDaysTop,
    DailyVisitor,
    Dimension,
    DimensionDaily,
    FilteredDaily,
    HourlyVisitor,
    PageView,
    SiteCounter,
    SiteDaily,
    SiteHourly,
)
from newsdesk.stories.models import Article
from newsdesk.visitors import salts as visitor_salts

logger = logging.getLogger(__name__)

# Few large statements: each round trip costs more than the rows it carries.
ROWS_PER_STATEMENT = 1000
SITE_COUNTER_ID = 1


def hour_of(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def apply_batch(hits: Sequence[Hit]) -> int:
    """Store a batch of hits and add them to the rollups; return the number of views stored."""
    views = [hit for hit in hits if hit.is_view]
    filtered = Counter((hit.ts.date(), hit.reason) for hit in hits if not hit.is_view)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A page-view batch may skip waiting for the WAL fsync: after a power loss
            # at most the last moment's views are gone, never the database's consistency.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        _insert_views(views)
        _add(FilteredDaily, ["day", "reason"], "requests", filtered)
        if views:
            _add_views(views)
            _forget_closed_rankings(views)
    return len(views)


def _forget_closed_rankings(views: Sequence[Hit]) -> None:
    """Delete the stored rankings of past days (hits/popular.py) that a late view changes."""
    # Days as the rollups count them: the hits' own (UTC) dates.
    earliest = min(hit.ts for hit in views).date()
    if earliest < timezone.now().date():
        ClosedDaysTop.objects.filter(end_day__gt=earliest).delete()


_VIEW_COLUMNS = (
    "ts",
    "kind",
    "path",
    "article_id",
    "visitor",
    "referrer_host",
    "device",
    "browser",
    "country",
)


def _insert_views(views: Sequence[Hit]) -> None:
    """Insert raw views with one prepared statement (bulk_create costs twice the batch)."""
    if not views:
        return
    table = connection.ops.quote_name(PageView._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _VIEW_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_VIEW_COLUMNS))
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            adapt(hit.ts),
            hit.kind,
            hit.path[:500],
            hit.article_id,
            hit.visitor,
            hit.referrer_host[:255],
            hit.device,
            hit.browser[:64],
            hit.country[:2],
        )
        for hit in views
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command, several times faster than INSERTs.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )


def _add_views(views: Sequence[Hit]) -> None:
    hour_list = [hour_of(hit.ts) for hit in views]  # once per hit: replace() is not cheap
    hours = Counter(hour_list)
    days: Counter[date] = Counter()
    for hour, n in hours.items():
        days[hour.date()] += n
    articles = Counter(
        (hit.article_id, hour) for hit, hour in zip(views, hour_list, strict=True) if hit.article_id
    )
    readers = _new_readers(views, hour_list)
    _add_counters(ArticleHourly, ["article_id", "hour"], _pair(articles, readers))
    _add_counters(ArticleDaily, ["article_id", "day"], _pair(_per_day(articles), _per_day(readers)))
    _add(SiteHourly, ["hour"], "views", {(hour,): n for hour, n in hours.items()})
    _add(SiteDaily, ["day"], "views", {(day,): n for day, n in days.items()})
    _add(DimensionDaily, ["day", "dimension", "value"], "views", _dimensions(views))
    _add(SiteCounter, ["id"], "views", {(SITE_COUNTER_ID,): len(views)})
    _add_visitors(views, hour_list)


def _pair(views: Mapping[Any, int], readers: Mapping[Any, int]) -> dict[Any, tuple[int, int]]:
    """Join view and reader counts by key: {key: (views, visitors)}."""
    return {key: (views.get(key, 0), readers.get(key, 0)) for key in views.keys() | readers.keys()}


def article_visitor_key(visitor: str) -> int:
    """Return the 64-bit key of a daily visitor id in the article seen-set."""
    digest = hashlib.blake2b(visitor.encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _new_readers(views: Sequence[Hit], hour_list: list[datetime]) -> Counter[tuple[int, datetime]]:
    """Record who read which article each day; return new readers per (article, hour).

    A reader is credited to the hour of their first view of the article that day.
    """
    first_hour: dict[tuple[str, int, int], datetime] = {}
    iso_days: dict[datetime, str] = {}  # ISO dates bind as date literals on both databases
    for hit, hour in zip(views, hour_list, strict=True):
        if not hit.article_id:
            continue
        day = iso_days.get(hour)
        if day is None:
            day = iso_days[hour] = hour.date().isoformat()
        key = (day, hit.article_id, article_visitor_key(hit.visitor))
        known = first_hour.get(key)
        if known is None or hour < known:
            first_hour[key] = hour
    readers: Counter[tuple[int, datetime]] = Counter()
    for key in _insert_returning_new(sorted(first_hour)):
        readers[(key[1], first_hour[key])] += 1
    return readers


def _insert_returning_new(keys: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Insert (day, article, visitor) keys into the seen-set; return those that were new."""
    table = connection.ops.quote_name(ArticleVisitor._meta.db_table)
    new: list[tuple[str, int, int]] = []
    for start in range(0, len(keys), ROWS_PER_STATEMENT):
        chunk = keys[start : start + ROWS_PER_STATEMENT]
        params = [value for key in chunk for value in key]
        sql = (
            f"INSERT INTO {table} (day, article_id, visitor) "  # noqa: S608
            f"VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))} "
            "ON CONFLICT (day, article_id, visitor) DO NOTHING "
            "RETURNING day, article_id, visitor"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # SQLite returns the date as text, PostgreSQL as a date: both print as ISO.
        new.extend((str(day), int(article), int(visitor)) for day, article, visitor in rows)
    return new


def _per_day(articles: Mapping[tuple[int, datetime], int]) -> Counter[tuple[int, date]]:
    days: Counter[tuple[int, date]] = Counter()
    for (article_id, hour), n in articles.items():
        days[(article_id, hour.date())] += n
    return days


def _dimensions(views: Sequence[Hit]) -> Counter[tuple[date, str, str]]:
    """Count views per day for each dimension value; source and category are ids."""
    ids = {hit.article_id for hit in views if hit.article_id}
    owners = {
        pk: (source_id, category_id)
        for pk, source_id, category_id in Article.objects.filter(pk__in=ids).values_list(
            "pk", "source_id", "source__category_id"
        )
    }
    counts: Counter[tuple[date, str, str]] = Counter()
    for hit in views:
        day = hit.ts.date()
        counts[(day, Dimension.REFERRER, hit.referrer_host)] += 1
        counts[(day, Dimension.DEVICE, hit.device)] += 1
        counts[(day, Dimension.BROWSER, hit.browser)] += 1
        counts[(day, Dimension.KIND, hit.kind)] += 1
        source_id, category_id = owners.get(hit.article_id or 0, (None, None))
        if source_id is not None:
            counts[(day, Dimension.SOURCE, str(source_id))] += 1
        if category_id is not None:
            counts[(day, Dimension.CATEGORY, str(category_id))] += 1
    return counts


def _add_visitors(views: Sequence[Hit], hour_list: list[datetime]) -> None:
    """Grow SiteHourly/SiteDaily.visitors by the ids not seen before in that hour or day."""
    by_hour: dict[datetime, set[str]] = {}
    for hit, hour in zip(views, hour_list, strict=True):
        by_hour.setdefault(hour, set()).add(hit.visitor)
    by_day: dict[date, set[str]] = {}
    for hour, ids in by_hour.items():
        by_day.setdefault(hour.date(), set()).update(ids)
    new_hours = {(h,): _insert_new(HourlyVisitor, "hour", h, ids) for h, ids in by_hour.items()}
    new_days = {(d,): _insert_new(DailyVisitor, "day", d, ids) for d, ids in by_day.items()}
    _add(SiteHourly, ["hour"], "visitors", new_hours)
    _add(SiteDaily, ["day"], "visitors", new_days)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(_field(model, name).column))


def _insert_new(model: type[models.Model], field: str, period: object, ids: set[str]) -> int:
    """Insert (period, visitor) pairs, skipping known ones; return how many were new."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = _column(model, field)
    value = _field(model, field).get_db_prep_value(period, connection)
    inserted = 0
    ordered = sorted(ids)
    for start in range(0, len(ordered), ROWS_PER_STATEMENT):
        chunk = ordered[start : start + ROWS_PER_STATEMENT]
        placeholders = ", ".join(["(%s, %s)"] * len(chunk))
        params: list[Any] = []
        for visitor in chunk:
            params += [value, visitor]
        sql = (
            f"INSERT INTO {table} ({column}, visitor) VALUES {placeholders} "  # noqa: S608
            f"ON CONFLICT ({column}, visitor) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted += max(cursor.rowcount, 0)
    return inserted


def _add(
    model: type[models.Model],
    key_fields: list[str],
    counter_field: str,
    counts: Mapping[Any, int],
) -> None:
    """Add ``counts`` (key tuple -> amount) to ``counter_field`` of ``model``, creating rows."""
    _add_counters(model, key_fields, {key: (n,) for key, n in counts.items()}, [counter_field])


def _add_counters(
    model: type[models.Model],
    key_fields: list[str],
    counts: Mapping[Any, tuple[int, ...]],
    counter_fields: Sequence[str] = ("views", "visitors"),
) -> None:
    """Add each key's amounts to ``counter_fields`` of ``model`` in one upsert per chunk."""
    # A fixed order avoids deadlocks between concurrent flushers.
    rows = sorted((key, ns) for key, ns in counts.items() if any(ns))
    if not rows:
        return
    meta = model._meta
    fields = [_field(model, name) for name in key_fields]
    table = connection.ops.quote_name(meta.db_table)
    keys = [_column(model, name) for name in key_fields]
    targets = [_column(model, name) for name in counter_fields]
    # Other counters of the row start at 0 (Django defaults are not database defaults).
    zeros = [
        connection.ops.quote_name(str(f.column))
        for f in meta.concrete_fields
        if f.default == 0 and f.name not in key_fields and f.name not in counter_fields
    ]
    columns = ", ".join([*keys, *targets, *zeros])
    row_sql = "(" + ", ".join(["%s"] * (len(keys) + len(targets)) + ["0"] * len(zeros)) + ")"
    updates = ", ".join(f"{t} = {table}.{t} + excluded.{t}" for t in targets)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        params: list[Any] = []
        for key, amounts in chunk:
            params += [f.get_db_prep_value(v, connection) for f, v in zip(fields, key, strict=True)]
            params.extend(amounts)
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "  # noqa: S608
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@dataclass(frozen=True)
class PruneResult:
    """What one prune removed."""

    views: int
    salts: int
    visitor_sets: int


def prune_salts(now: datetime | None = None) -> tuple[int, int]:
    """Delete salts (and seen-sets) 24 hours after their day ended; return (salts, seen rows)."""
    now = now or timezone.now()
    # A seen-set is useful exactly as long as the salt its ids were made with.
    keep_from = visitor_salts.first_kept_day(now)
    salts = visitor_salts.prune_salts(now)
    day_start = datetime.combine(keep_from, datetime.min.time(), tzinfo=now.tzinfo)
    seen, _ = DailyVisitor.objects.filter(day__lt=keep_from).delete()
    seen_hours, _ = HourlyVisitor.objects.filter(hour__lt=day_start).delete()
    seen_readers, _ = ArticleVisitor.objects.filter(day__lt=keep_from).delete()
    return salts, seen + seen_hours + seen_readers


def prune_views(now: datetime | None = None, chunk: int = 20_000) -> int:
    """Delete raw views older than NEWSDESK_HITS_RETENTION_DAYS, in chunks; return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSDESK_HITS_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(PageView.objects.filter(ts__lt=cutoff).values_list("pk", flat=True)[:chunk])
        if not ids:
            return deleted
        deleted += PageView.objects.filter(pk__in=ids).delete()[0]


def prune_hits(now: datetime | None = None) -> PruneResult:
    """Delete expired raw views, salts and visitor seen-sets (the scheduler's job)."""
    views = prune_views(now)
    salts, seen = prune_salts(now)
    result = PruneResult(views=views, salts=salts, visitor_sets=seen)
    logger.info("hits pruned", extra={"views": views, "salts": salts, "visitor_sets": seen})
    return result
