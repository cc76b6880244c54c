"""The full-text index of published articles: its triggers and its rebuild.

Migration ``stories.0005_search_index`` creates the index; database triggers
keep it current on every insert, update, hide and delete, whichever code path
writes (the pipeline, the admin, an editor's action, a bulk load). This module
is the one place that writes to it otherwise: ``rebuild_index`` fills it again
from the articles, in batches, for ``newsdesk search rebuild``.

PostgreSQL keeps a ``search_vector`` column beside each article, computed by
the SQL function ``newsdesk_article_vector`` (per-language configuration,
accents folded); SQLite keeps an FTS5 table ``article_search`` whose content
is the article table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "article_search"
REBUILD_BATCH = 2_000

SQLITE_CREATE_TABLE = """CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5(
    title, summary, body_text,
    content='stories_article', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)"""
# External content: FTS5 must be told a row's old values to forget it, so each
# trigger deletes exactly what was indexed; only published rows are ever in it.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS article_search_insert AFTER INSERT ON stories_article
       WHEN new.status = 'published' BEGIN
         INSERT INTO article_search(rowid, title, summary, body_text)
         VALUES (new.id, new.title, new.summary, new.body_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS article_search_delete AFTER DELETE ON stories_article
       WHEN old.status = 'published' BEGIN
         INSERT INTO article_search(article_search, rowid, title, summary, body_text)
         VALUES ('delete', old.id, old.title, old.summary, old.body_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS article_search_update
       AFTER UPDATE OF title, summary, body_text, status ON stories_article
       WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary
         OR old.body_text IS NOT new.body_text OR old.status IS NOT new.status BEGIN
         INSERT INTO article_search(article_search, rowid, title, summary, body_text)
         SELECT 'delete', old.id, old.title, old.summary, old.body_text
         WHERE old.status = 'published';
         INSERT INTO article_search(rowid, title, summary, body_text)
         SELECT new.id, new.title, new.summary, new.body_text WHERE new.status = 'published';
       END""",
]


@dataclass(frozen=True)
class RebuildResult:
    indexed: int
    vendor: str


def ensure_sqlite_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Create the SQLite index triggers again if a table rebuild dropped them.

    Django's SQLite schema editor alters a table by copying it to a new one and
    dropping the old, which drops its triggers; runs after every ``migrate``.
    """
    db = using or connection
    if db.vendor != "sqlite" or FTS_TABLE not in db.introspection.table_names():
        return
    with db.cursor() as cursor:
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)


def published_id_range() -> tuple[int, int]:
    """Return the smallest and largest id of published articles (0, -1 when none)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM stories_article WHERE status = 'published'")
        low, high = cursor.fetchone()
    return (low, high) if low is not None else (0, -1)


def rebuild_index(progress: Callable[[int, int], None] | None = None) -> RebuildResult:
    """Index every published article again; ``progress(done_ids, total_ids)`` after each batch.

    Each batch is its own transaction, so readers keep searching meanwhile and
    an interrupted rebuild leaves every finished batch indexed.
    """
    low, high = published_id_range()
    span = high - low + 1
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO article_search(article_search) VALUES ('delete-all')")
    indexed = 0
    for start in range(low, high + 1, REBUILD_BATCH):
        indexed += _index_batch(start, min(start + REBUILD_BATCH, high + 1))
        if progress is not None:
            progress(min(start + REBUILD_BATCH, high + 1) - low, span)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO article_search(article_search) VALUES ('optimize')")
    return RebuildResult(indexed=indexed, vendor=connection.vendor)


def _index_batch(start: int, stop: int) -> int:
    """Index the published articles with ids in [start, stop); return how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE stories_article SET search_vector ="
                " newsdesk_article_vector(language, title, summary, body_text)"
                " WHERE id >= %s AND id < %s AND status = 'published'",
                [start, stop],
            )
        else:
            cursor.execute(
                "INSERT INTO article_search(rowid, title, summary, body_text)"
                " SELECT id, title, summary, body_text FROM stories_article"
                " WHERE id >= %s AND id < %s AND status = 'published'",
                [start, stop],
            )
        return int(cursor.rowcount)
