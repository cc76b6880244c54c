"""Dashboard and Most Popular query time with N views loaded (default 10 million over 90 days).

The rollups are filled as the recorder would leave them after N views: about
100 new articles a day, each read mostly in its first two days (age decay times a
Zipf-like popularity), plus a raw ``PageView`` table of N rows ordered by time.
Queries are timed uncached (the cache is cleared before each run).

    python -m bench.hits_queries --views 10000000 --db sqlite:////tmp/q.sqlite3
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import setup_django, time_calls

DAYS = 90
ARTICLES_PER_DAY = 100
SOURCES, CATEGORIES = 40, 8
READ_HOURS = 7 * 24  # an article gets views for a week at most
REFERRERS = [f"ref{n}.example" for n in range(60)] + [""]
DEVICES = ["desktop", "mobile", "tablet"]
BROWSERS = ["Chrome", "Firefox", "Safari", "Edge", "Samsung Internet", "Opera"]
KINDS = ["home", "latest", "article", "category", "editor", "search"]
CHUNK = 50_000


def _hour(now: datetime, hours_ago: int) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)


def seed_catalogue(now: datetime) -> list[tuple[int, datetime, float]]:
    """Create categories, sources and articles; return (id, published, popularity) per article."""
    from newsdesk.sources.models import Category, Source
    from newsdesk.stories.models import Article

    categories = [Category.objects.create(name=f"C{n}", slug=f"c{n}") for n in range(CATEGORIES)]
    sources = [
        Source.objects.create(
            name=f"S{n}", feed_url=f"http://127.0.0.1/{n}.xml", category=categories[n % CATEGORIES]
        )
        for n in range(SOURCES)
    ]
    rng = random.Random(7)
    articles = []
    for n in range(DAYS * ARTICLES_PER_DAY):
        published = now - timedelta(hours=DAYS * 24 * (1 - n / (DAYS * ARTICLES_PER_DAY)))
        articles.append(
            Article(
                source=sources[n % SOURCES],
                guid=str(n),
                url=f"http://127.0.0.1/a/{n}",
                slug=f"a-{n}",
                title=f"Article {n}",
                published_at=published,
                first_seen_at=published,
            )
        )
    Article.objects.bulk_create(articles, batch_size=2000)
    return [
        (a.pk, a.published_at, 1 / rng.paretovariate(1.2))
        for a in Article.objects.order_by("published_at")
    ]


def article_hours(views: int, now: datetime, catalogue: list[tuple[int, datetime, float]]) -> dict:
    """Spread ``views`` over hours and articles; return {(article, hour): views}."""
    per_hour = views / (DAYS * 24)
    cells: dict[tuple[int, datetime], int] = {}
    published = [pub for _, pub, _ in catalogue]
    for hours_ago in range(DAYS * 24 - 1, -1, -1):
        hour = _hour(now, hours_ago)
        first = bisect.bisect_left(published, hour - timedelta(hours=READ_HOURS))
        last = bisect.bisect_right(published, hour + timedelta(hours=1))
        live = catalogue[first:last]
        weights = [pop / (((hour - pub).total_seconds() / 3600) + 2) ** 1.5 for _, pub, pop in live]
        total = sum(weights) or 1
        for (pk, _, _), weight in zip(live, weights, strict=True):
            count = round(per_hour * weight / total)
            if count:
                cells[(pk, hour)] = count
    return cells


def seed_rollups(views: int, now: datetime, cells: dict) -> None:
    """Write the article, site, dimension and filtered rollups and the site counter."""
    from django.db import connection, transaction

    hours: dict[datetime, int] = {}
    for (_, hour), count in cells.items():
        hours[hour] = hours.get(hour, 0) + count
    days: dict[Any, int] = {}
    for hour, count in hours.items():
        days[hour.date()] = days.get(hour.date(), 0) + count
    rng = random.Random(11)
    with transaction.atomic(), connection.cursor() as cursor:
        # About one view in five is a reload or a second page by a reader seen before.
        readers = {key: max(1, int(count * 0.8)) for key, count in cells.items()}
        cursor.executemany(
            "INSERT INTO hits_articlehourly (article_id, hour, views, visitors) "
            "VALUES (%s, %s, %s, %s)",
            [(pk, hour, count, readers[(pk, hour)]) for (pk, hour), count in cells.items()],
        )
        per_day: dict[tuple[int, Any], tuple[int, int]] = {}
        for (pk, hour), count in cells.items():
            views_so_far, readers_so_far = per_day.get((pk, hour.date()), (0, 0))
            per_day[(pk, hour.date())] = (
                views_so_far + count,
                readers_so_far + readers[(pk, hour)],
            )
        cursor.executemany(
            "INSERT INTO hits_articledaily (article_id, day, views, visitors) "
            "VALUES (%s, %s, %s, %s)",
            [(pk, day, count, people) for (pk, day), (count, people) in per_day.items()],
        )
        cursor.executemany(
            "INSERT INTO hits_sitehourly (hour, views, visitors) VALUES (%s, %s, %s)",
            [(hour, count, int(count * 0.6)) for hour, count in hours.items()],
        )
        cursor.executemany(
            "INSERT INTO hits_sitedaily (day, views, visitors) VALUES (%s, %s, %s)",
            [(day, count, int(count * 0.35)) for day, count in days.items()],
        )
        dims = []
        for day, count in days.items():
            for dimension, values in [
                ("referrer", REFERRERS),
                ("device", DEVICES),
                ("browser", BROWSERS),
                ("kind", KINDS),
                ("source", [str(n + 1) for n in range(SOURCES)]),
                ("category", [str(n + 1) for n in range(CATEGORIES)]),
            ]:
                for value in values:
                    dims.append((day, dimension, value, rng.randint(1, count // len(values) + 1)))
        cursor.executemany(
            "INSERT INTO hits_dimensiondaily (day, dimension, value, views) "
            "VALUES (%s, %s, %s, %s)",
            dims,
        )
        cursor.executemany(
            "INSERT INTO hits_filtereddaily (day, reason, requests) VALUES (%s, %s, %s)",
            [(day, "crawler", count // 3) for day, count in days.items()],
        )
        cursor.execute("INSERT INTO hits_sitecounter (id, views) VALUES (1, %s)", [views])


def seed_raw(views: int, now: datetime, catalogue: list[tuple[int, datetime, float]]) -> None:
    """Write ``views`` raw PageView rows over 90 days in time order, in chunks."""
    from django.db import connection, transaction

    rng = random.Random(13)
    span = DAYS * 24 * 3600
    ids = [pk for pk, _, _ in catalogue]
    sql = (
        "INSERT INTO hits_pageview (ts, kind, path, article_id, visitor, referrer_host, "
        "device, browser, country) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    start = now - timedelta(seconds=span)
    for offset in range(0, views, CHUNK):
        rows = []
        for n in range(offset, min(views, offset + CHUNK)):
            ts = start + timedelta(seconds=span * n / views)
            pk = ids[min(len(ids) - 1, int(len(ids) * n / views) + rng.randint(-50, 0))]
            rows.append(
                (
                    ts,
                    "article",
                    f"/a/{pk}/",
                    pk,
                    f"{rng.getrandbits(64):016x}",
                    rng.choice(REFERRERS),
                    rng.choice(DEVICES),
                    rng.choice(BROWSERS),
                    "",
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def measure(repeat: int) -> dict[str, Any]:
    """Time each query uncached; return p50/p95/max per query."""
    from django.core.cache import cache

    from newsdesk.hits import popular, stats

    def uncached(call: Any) -> Any:
        def run() -> object:
            cache.clear()
            return call()

        return run

    queries: dict[str, Any] = {}
    for window in popular.WINDOWS:
        queries[f"most_popular_{window}"] = uncached(lambda w=window: popular.most_popular(w))
    queries["hot_ranking"] = uncached(lambda: popular.hot_ranking(10))
    for key in ("day", "30d", "90d"):
        span = stats.parse_range({"range": key})
        queries[f"dashboard_{key}_all_panels"] = uncached(lambda s=span: stats.build_dashboard(s))
        queries[f"dashboard_{key}_series"] = uncached(lambda s=span: stats.series(s))
        queries[f"dashboard_{key}_top_articles"] = uncached(lambda s=span: stats.top_articles(s))
    queries["realtime"] = uncached(stats.realtime)
    queries["most_popular_cached"] = lambda: popular.most_popular("24h")
    results = {}
    for name, call in queries.items():
        call()  # warm the page cache of the database file
        results[name] = time_calls(call, repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="newsdesk-bench-q-")
    setup_django(args.db or f"sqlite:///{workdir}/bench.sqlite3", workdir)
    from django.db import connection

    now = datetime.now(UTC)
    began = time.perf_counter()
    catalogue = seed_catalogue(now)
    cells = article_hours(args.views, now, catalogue)
    seed_rollups(args.views, now, cells)
    seed_raw(args.views, now, catalogue)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeded = time.perf_counter() - began
    out = {
        "database": connection.vendor,
        "views_loaded": args.views,
        "articles": len(catalogue),
        "article_hourly_rows": len(cells),
        "seed_seconds": round(seeded, 1),
        "queries": measure(args.repeat),
    }
    print(json.dumps(out))
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
