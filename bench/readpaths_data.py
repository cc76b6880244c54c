"""Generate and bulk-load the read-path bench database: N articles, their stories and views.

At the default scale: 1,000,000 articles over a year from 2,000 sources in 12
categories with 40 editors, grouped into stories as the Understand stage leaves
them (every article in one; about a third join an event other outlets report,
some as reprints), and 10 million human views. The views are where the site
keeps them: per-article hourly and daily rollups for all time, site rollups and
the counter, and raw ``PageView`` rows only for the last ``RAW_DAYS`` (the
default retention). Bodies are slices of the evaluation corpus's real text, so
a search word matches as many articles as it would in real news.

PostgreSQL is loaded with COPY (psycopg 3), SQLite with ``executemany`` in big
transactions; foreign-key checks are off while loading (ids are generated
consistent). What the database's own triggers derive from articles (the
search index, each source's published count, the listings' story cards) is
filled in bulk instead of row by row: PostgreSQL's replica mode skips every
trigger except the search vector's, switched to fire always for the load (the
vector is computed as the row is copied, not by a second pass over a million
rows); the article table's secondary indexes are dropped for the COPY and built
again after it; SQLite's triggers are dropped for the load, the FTS5 index
filled with one INSERT ... SELECT, the cards worked out with another, and the
triggers created again. A marker table records what was
loaded, so a later run reuses the database when the scale, the generator and
the loaded tables' columns match.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Bump when the generated data changes shape, so stored databases are rebuilt.
GENERATOR_VERSION = 2
DAYS = 365
RAW_DAYS = 90
CATEGORIES = 12
EDITORS = 40
ARTICLES_PER_SOURCE = 500
VIEWS_PER_ARTICLE = 10
CHUNK = 20_000
MARKER_TABLE = "bench_readpaths_marker"

# Search queries of falling selectivity over the corpus's own words.
SEARCH_QUERIES = {
    "very_common": "said",
    "common": "police",
    "rare": "tsunami",
    "phrase": '"north korea"',
    "no_match": "xylophonist",
}


@dataclass
class StoryRow:
    """A story's summary as the stage keeps it, filled while its articles are generated."""

    pk: int
    headline: str
    first_article: int
    first_reported: datetime
    latest_reported: datetime
    sources: set[int] = field(default_factory=set)
    articles: int = 0


@dataclass
class Catalogue:
    """What the generator needs to remember between tables (ids, times, sizes)."""

    now: datetime
    sources: list[int]
    published: list[datetime] = field(default_factory=list)
    stories: list[StoryRow] = field(default_factory=list)


def corpus_words() -> list[str]:
    """Return the evaluation corpus's text as one word stream (real word frequencies)."""
    from newsdesk.stories.evalset import load_corpus

    words: list[str] = []
    for article in load_corpus():
        words += article.text.split()
    return words


def loaded_columns() -> dict[str, list[str]]:
    """Return the columns of every bulk-loaded table, to detect a changed schema."""
    from newsdesk.hits.models import ArticleDaily, ArticleHourly, PageView
    from newsdesk.stories.models import Article, Story

    return {
        m._meta.db_table: [str(f.column) for f in m._meta.concrete_fields]
        for m in (Article, Story, ArticleHourly, ArticleDaily, PageView)
    }


def fingerprint(articles: int) -> str:
    """Describe what a load of ``articles`` puts in the database."""
    return json.dumps(
        {"version": GENERATOR_VERSION, "articles": articles, "columns": loaded_columns()},
        sort_keys=True,
    )


def stored_marker() -> dict[str, Any] | None:
    """Return the marker of the data already loaded, or None."""
    from django.db import connection

    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT fingerprint, loaded_at, seconds FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    return {"fingerprint": row[0], "loaded_at": row[1], "seconds": row[2]}


def write_marker(articles: int, now: datetime, seconds: float) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (fingerprint TEXT, loaded_at TEXT, seconds REAL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)",
            [fingerprint(articles), now.isoformat(), seconds],
        )


def seed_directory(articles: int, rng: random.Random) -> list[int]:
    """Create categories, editors and sources (few rows: the ORM); return source ids."""
    from newsdesk.sources.models import Category, Editor, Source

    categories = Category.objects.bulk_create(
        Category(name=f"Section {n}", slug=f"section-{n}", order=n) for n in range(CATEGORIES)
    )
    editors = Editor.objects.bulk_create(
        Editor(display_name=f"Editor Number{n}", slug=f"editor-{n}", bio="Looks after feeds.")
        for n in range(EDITORS)
    )
    count = max(20, articles // ARTICLES_PER_SOURCE)
    sources = Source.objects.bulk_create(
        Source(
            name=f"Outlet {n}",
            feed_url=f"https://outlet{n}.example/feed.xml",
            site_url=f"https://outlet{n}.example/",
            # A few sources are uncategorized or without an editor, a few switched off.
            category=None if n % 97 == 5 else categories[n % CATEGORIES],
            editor=None if n % 13 == 7 else editors[n % EDITORS],
            active=rng.random() > 0.01,
            language="en",
        )
        for n in range(count)
    )
    return [s.pk for s in sources]


def article_rows(
    total: int, catalogue: Catalogue, words: Sequence[str], rng: random.Random
) -> Iterator[dict[str, Any]]:
    """Yield article rows in publication order; fill in stories on the way."""
    start = catalogue.now - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / total
    open_events: list[StoryRow] = []
    for index in range(total):
        pk = index + 1
        # Feeds deliver roughly in order; ids follow arrival, not exact publication time.
        published = start + step * index + timedelta(minutes=rng.uniform(-30, 0))
        source = catalogue.sources[rng.randrange(len(catalogue.sources))]
        at = rng.randrange(len(words) - 400)
        title = " ".join(words[at : at + rng.randint(6, 12)])
        story, reprint_of = _place(pk, title, published, source, open_events, catalogue, rng)
        paragraphs = [
            " ".join(words[at + offset : at + offset + rng.randint(20, 110)])
            for offset in (12, 130, 250)
        ]
        body_text = "\n\n".join(paragraphs)
        catalogue.published.append(published)
        yield {
            "id": pk,
            "source_id": source,
            "guid": f"guid-{pk}",
            "url": f"https://outlet.example/{pk}",
            "slug": f"article-{pk}",
            "title": title,
            "summary": " ".join(paragraphs[0].split()[:30]),
            "body_html": "".join(f"<p>{p}</p>" for p in paragraphs),
            "body_text": body_text,
            "author": "",
            "image_url": "",
            "published_at": published,
            "updated_at": None,
            "first_seen_at": published + timedelta(minutes=5),
            "language": "en",
            "status": "hidden" if rng.random() < 0.005 else "published",
            "featured": False,
            "entry_fingerprint": hashlib.sha256(f"e{pk}".encode()).hexdigest(),
            "canonical_url": f"https://outlet.example/{pk}",
            "body_hash": hashlib.sha256(body_text.encode()).hexdigest(),
            "story_id": story.pk,
            "reprint_of_id": reprint_of,
            "understood_at": published + timedelta(minutes=6),
            "image_id": None,
            "image_alt": "",
            "images_checked_at": published + timedelta(minutes=6),
        }


def in_columns(model: Any, rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """Order each row's values as the table's columns; a column left out takes its default.

    A column added later without a default fails here, by name.
    """
    fields = model._meta.concrete_fields
    defaults = {f.column: f.get_default() for f in fields if f.has_default()}
    for row in rows:
        yield tuple(row[f.column] if f.column in row else defaults[f.column] for f in fields)


def _place(
    pk: int,
    title: str,
    published: datetime,
    source: int,
    open_events: list[StoryRow],
    catalogue: Catalogue,
    rng: random.Random,
) -> tuple[StoryRow, int | None]:
    """Put an article in an open event (a third of the time) or a story of its own."""
    reprint_of = None
    if open_events and rng.random() < 0.35:
        story = open_events[rng.randrange(len(open_events))]
        if rng.random() < 0.15:
            reprint_of = story.first_article
    else:
        story = StoryRow(len(catalogue.stories) + 1, title, pk, published, published)
        catalogue.stories.append(story)
        open_events.append(story)
        if len(open_events) > 300:
            open_events.pop(0)
    story.articles += 1
    story.sources.add(source)
    story.latest_reported = max(story.latest_reported, published)
    return story, reprint_of


def story_rows(catalogue: Catalogue) -> Iterator[tuple[Any, ...]]:
    for s in catalogue.stories:
        yield (
            s.pk,
            s.headline,
            False,
            s.first_article,
            s.first_reported,
            s.latest_reported,
            s.latest_reported + timedelta(minutes=5),
            s.articles,
            len(s.sources),
            s.first_reported,
        )


def view_cells(
    catalogue: Catalogue, views: int, rng: random.Random
) -> Iterator[tuple[int, datetime, int]]:
    """Yield (article, hour, views): Zipf-like popularity, read mostly in the first hours."""
    mean = views / len(catalogue.published)
    # A Pareto(1.2) draw has mean 6; scale it to the wanted mean views per article.
    scale = mean / 6
    for index, published in enumerate(catalogue.published):
        total = int(rng.paretovariate(1.2) * scale)
        if total <= 0:
            continue
        first_hour = published.replace(minute=0, second=0, microsecond=0)
        hours = min(total, 1 + int(2 * math.log2(total + 1)), 48)
        weights = [1 / (h + 1) ** 1.2 for h in range(hours)]
        norm = sum(weights)
        for h, weight in enumerate(weights):
            hour = first_hour + timedelta(hours=h * (1 + h // 6))
            count = round(total * weight / norm)
            if count and hour <= catalogue.now:
                yield index + 1, hour, count


def rollup_rows(
    catalogue: Catalogue, views: int, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[datetime, int]]:
    """Return article hourly and daily rows, and views per site hour."""
    hourly: list[tuple[Any, ...]] = []
    daily: dict[tuple[int, Any], list[int]] = {}
    site: dict[datetime, int] = {}
    for article, hour, count in view_cells(catalogue, views, rng):
        readers = max(1, int(count * 0.8))
        hourly.append((len(hourly) + 1, article, hour, count, readers))
        cell = daily.setdefault((article, hour.date()), [0, 0])
        cell[0] += count
        cell[1] += readers
        site[hour] = site.get(hour, 0) + count
    days = [(n + 1, article, day, v, r) for n, ((article, day), (v, r)) in enumerate(daily.items())]
    return hourly, days, site


def pageview_rows(
    hourly: Iterable[tuple[Any, ...]], since: datetime, rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    """Yield raw views for the hourly cells at or after ``since`` (the retention window)."""
    pk = 0
    for _, article, hour, count, readers in hourly:
        if hour < since:
            continue
        visitors = [f"{rng.getrandbits(64):016x}" for _ in range(readers)]
        for n in range(count):
            pk += 1
            yield (
                pk,
                hour + timedelta(seconds=rng.randrange(3600)),
                "article",
                f"/article/{article}/article-{article}/",
                article,
                visitors[n % readers],
                rng.choice(("", "", "news.example", "search.example", "social.example")),
                rng.choice(("desktop", "mobile", "mobile", "tablet")),
                rng.choice(("Chrome", "Firefox", "Safari", "Edge")),
                "",
            )


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Write ``rows`` into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        cursor.executemany(sql, batch)
        return count + len(batch)


def columns_of(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def load(articles: int, views: int, seed: int = 7) -> dict[str, int]:
    """Fill an empty, migrated database; return the rows written per table."""
    from django.db import transaction

    from newsdesk.hits.models import (
        ArticleDaily,
        ArticleHourly,
        PageView,
        SiteCounter,
        SiteDaily,
        SiteHourly,
    )
    from newsdesk.stories.models import Article, Story

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    words = corpus_words()
    counts: dict[str, int] = {}
    _fast_load_mode(on=True)
    with transaction.atomic():
        catalogue = Catalogue(now, seed_directory(articles, rng))
        indexes = _derive_in_bulk(on=True)
        counts["articles"] = copy_rows(
            Article._meta.db_table,
            columns_of(Article),
            in_columns(Article, article_rows(articles, catalogue, words, rng)),
        )
        counts["stories"] = copy_rows(
            Story._meta.db_table, columns_of(Story), story_rows(catalogue)
        )
        hourly, daily, site = rollup_rows(catalogue, views, rng)
        counts["article_hourly"] = copy_rows(
            ArticleHourly._meta.db_table, columns_of(ArticleHourly), hourly
        )
        counts["article_daily"] = copy_rows(
            ArticleDaily._meta.db_table, columns_of(ArticleDaily), daily
        )
        counts["views"] = sum(row[3] for row in hourly)
        since = now - timedelta(days=RAW_DAYS)
        counts["pageviews"] = copy_rows(
            PageView._meta.db_table, columns_of(PageView), pageview_rows(hourly, since, rng)
        )
        SiteHourly.objects.bulk_create(
            (SiteHourly(hour=h, views=v, visitors=int(v * 0.6)) for h, v in site.items()),
            batch_size=2000,
        )
        per_day: dict[Any, int] = {}
        for hour, v in site.items():
            per_day[hour.date()] = per_day.get(hour.date(), 0) + v
        SiteDaily.objects.bulk_create(
            SiteDaily(day=d, views=v, visitors=int(v * 0.35)) for d, v in per_day.items()
        )
        SiteCounter.objects.update_or_create(pk=1, defaults={"views": counts["views"]})
        _derive_in_bulk(on=False, indexes=indexes)
    _fast_load_mode(on=False)
    _reset_sequences([Article, Story, ArticleHourly, ArticleDaily, PageView])
    _analyze()
    return counts


def _fast_load_mode(on: bool) -> None:
    """Skip foreign-key checks (and, on SQLite, syncs) while loading generated rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET session_replication_role = {'replica' if on else 'DEFAULT'}")
        else:
            cursor.execute(f"PRAGMA foreign_keys = {'OFF' if on else 'ON'}")
            cursor.execute(f"PRAGMA synchronous = {'OFF' if on else 'NORMAL'}")
            cursor.execute("PRAGMA cache_size = -1000000")


ARTICLE_TABLE = "stories_article"
BULK_TABLES = [
    ARTICLE_TABLE,
    "stories_story",
    "hits_articlehourly",
    "hits_articledaily",
    "hits_pageview",
]
# The one trigger that fires during a PostgreSQL load (see the module docstring).
PG_SEARCH_TRIGGER = "article_search_vector"
SOURCE_RECOUNT = """UPDATE sources_source SET published_count = counted.n
    FROM (SELECT source_id, COUNT(*) AS n FROM stories_article
          WHERE status = 'published' GROUP BY source_id) AS counted
    WHERE sources_source.id = counted.source_id"""
SQLITE_SEARCH_TRIGGERS = ("article_search_insert", "article_search_delete", "article_search_update")
SQLITE_FTS_FILL = """INSERT INTO article_search(rowid, title, summary, body_text)
    SELECT id, title, summary, body_text FROM stories_article WHERE status = 'published'"""


def _derive_in_bulk(on: bool, indexes: list[str] | None = None) -> list[str]:
    """Switch the article table to bulk loading (``on``) or fill what its triggers derive.

    Turning on returns the PostgreSQL index definitions it dropped; turning off
    builds them again from ``indexes``, counts each source's published
    articles in one grouped UPDATE and (SQLite) fills the FTS5 index and
    creates the triggers again.
    """
    from django.db import connection

    from newsdesk.stories import cards, search_index, source_counts

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            mode = "ALWAYS" if on else ""
            cursor.execute(f"ALTER TABLE {ARTICLE_TABLE} ENABLE {mode} TRIGGER {PG_SEARCH_TRIGGER}")
            if on:
                return _drop_secondary_indexes(cursor)
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in indexes or []:
                cursor.execute(definition)
        elif on:
            source_counts.drop_triggers(connection)
            cards.TRIGGERS.drop(connection)
            for name in SQLITE_SEARCH_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return []
        else:
            cursor.execute(SQLITE_FTS_FILL)
            search_index.ensure_sqlite_triggers(connection)
            source_counts.create_triggers(connection)
            cards.TRIGGERS.create(connection)
        cursor.execute(SOURCE_RECOUNT)
        cards.rebuild(connection)
    return []


def _drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the bulk-loaded tables' indexes that back no constraint; return their definitions.

    Building an index once over the loaded rows is several times cheaper than
    keeping it current row by row during the COPY.
    """
    cursor.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i
           WHERE i.indrelid::regclass::text = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [BULK_TABLES],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _analyze() -> None:
    """Give the planners fresh statistics (and PostgreSQL's visibility map) after the load."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
