"""Each source's count of published articles, kept by the database itself.

The navigation shows a count per category on every page; counting joins every
article (about a second at 1M articles on PostgreSQL, far more on SQLite), and
the page generation changes with every stored article, so a cache alone does
not help a busy site. ``Source.published_count`` is kept instead by triggers
on the article table: whichever code writes (the pipeline, the admin, an
editor's action, ``QuerySet.update``, a bulk load), an article entering or
leaving the published state, or moving between sources, moves the count.
A category's count is then a sum over its few sources.

Migration ``stories.0007_source_published_count`` creates the triggers and
counts once; ``recount`` counts again from the articles.
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from newsdesk.stories.triggers import TriggerSet

PUBLISHED = "published"

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS source_count_insert AFTER INSERT ON stories_article
       WHEN new.status = 'published' BEGIN
         UPDATE sources_source SET published_count = published_count + 1
         WHERE id = new.source_id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS source_count_delete AFTER DELETE ON stories_article
       WHEN old.status = 'published' BEGIN
         UPDATE sources_source SET published_count = published_count - 1
         WHERE id = old.source_id;
       END""",
    """CREATE TRIGGER IF NOT EXISTS source_count_update
       AFTER UPDATE OF status, source_id ON stories_article
       WHEN old.status IS NOT new.status OR old.source_id IS NOT new.source_id BEGIN
         UPDATE sources_source SET published_count = published_count - 1
         WHERE id = old.source_id AND old.status = 'published';
         UPDATE sources_source SET published_count = published_count + 1
         WHERE id = new.source_id AND new.status = 'published';
       END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS source_count_insert",
    "DROP TRIGGER IF EXISTS source_count_delete",
    "DROP TRIGGER IF EXISTS source_count_update",
]

POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION newsdesk_source_count() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
           UPDATE sources_source SET published_count = published_count - 1
           WHERE id = OLD.source_id;
         END IF;
         IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'published' THEN
           UPDATE sources_source SET published_count = published_count + 1
           WHERE id = NEW.source_id;
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER article_source_count_rows AFTER INSERT OR DELETE ON stories_article
       FOR EACH ROW EXECUTE FUNCTION newsdesk_source_count()""",
    # Django saves every column, so only a real change may touch the source's
    # row (a lock every concurrent writer of that source would wait on).
    """CREATE TRIGGER article_source_count_moves
       AFTER UPDATE OF status, source_id ON stories_article FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.source_id IS DISTINCT FROM NEW.source_id)
       EXECUTE FUNCTION newsdesk_source_count()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS article_source_count_rows ON stories_article",
    "DROP TRIGGER IF EXISTS article_source_count_moves ON stories_article",
    "DROP FUNCTION IF EXISTS newsdesk_source_count()",
]

RECOUNT = """UPDATE sources_source SET published_count = (
    SELECT COUNT(*) FROM stories_article
    WHERE stories_article.source_id = sources_source.id AND stories_article.status = 'published'
)"""


TRIGGERS = TriggerSet(POSTGRES_CREATE, POSTGRES_DROP, SQLITE_TRIGGERS, SQLITE_DROP)


def create_triggers(db: BaseDatabaseWrapper) -> None:
    """Install the triggers on ``db`` (PostgreSQL or SQLite)."""
    TRIGGERS.create(db)


def drop_triggers(db: BaseDatabaseWrapper) -> None:
    TRIGGERS.drop(db)


def ensure_sqlite_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Create the SQLite triggers again if a table rebuild dropped them (after every migrate)."""
    db = using or connection
    if db.vendor != "sqlite" or "stories_article" not in db.introspection.table_names():
        return
    columns = {
        c.name for c in db.introspection.get_table_description(db.cursor(), "sources_source")
    }
    if "published_count" in columns:
        create_triggers(db)


def recount(using: BaseDatabaseWrapper | None = None) -> None:
    """Count every source's published articles again from the articles."""
    db = using or connection
    with db.cursor() as cursor:
        cursor.execute(RECOUNT)
