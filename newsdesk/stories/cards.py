"""One card per story for each listing, kept by the database itself (``ListingCard`` rows).

Latest News, a category and an editor's page show one card per story: the
story's newest original report among the articles that listing holds (a
category's or editor's sources, published, of an active source), or a copy
when no original is listed (the copy of the lowest original id, then the
newest); an article not yet in a story stands for itself. ``one_per_story``
(stories/queries.py) says the same as a query; asked per page it probed the
story of every row walked (43 ms for page 500 at 1M articles on PostgreSQL).
Here each listing's cards are rows of their own, so a page walks one narrow
index, the card table's ``(kind, scope_id, published_at, article_id)``.

Like the source counts (stories/source_counts.py), the cards are kept by
triggers: whichever code writes an article (the pipeline, the Understand
stage, an editor's merge or split, the admin, ``QuerySet.update``, a delete)
or a source's active flag, category or editor, the cards of the stories it
touches are worked out again from their articles. On PostgreSQL the story
rows are locked first (``FOR NO KEY UPDATE``, in id order), so two
transactions changing one story work it out one after the other.

Migration ``stories.0009_listing_cards`` creates the table and the triggers and
fills it once; ``rebuild`` fills it again from the articles.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from newsdesk.stories.models import unpublished_statuses
from newsdesk.stories.triggers import TriggerSet

TABLE = "stories_listingcard"
# Every table, column and condition put into SQL below is a constant of this
# module, never input (hence the noqa S608 marks).

# Which listings a card belongs to: (kind, its scope id, the partition within a story).
_SCOPES = (
    (0, "0", ""),
    (1, "s.category_id", ", s.category_id"),
    (2, "s.editor_id", ", s.editor_id"),
)


# Said as "no other status" (as ``with_published_status``): SQLite, without statistics,
# answers "status = published" from the status index, walking every published
# article, where the trigger names one story or one article.
_UNPUBLISHED = ", ".join(f"'{status}'" for status in unpublished_statuses())


def _ranked(articles: str) -> str:
    """Return each listing's card among ``articles`` (an SQL condition on ``a``), as rows."""
    parts = []
    for kind, scope, partition in _SCOPES:
        scoped = "" if kind == 0 else f" AND {scope} IS NOT NULL"
        parts.append(
            f"SELECT {kind} AS kind, {scope} AS scope_id, a.published_at, a.id, a.source_id,"  # noqa: S608
            f" a.story_id, ROW_NUMBER() OVER (PARTITION BY COALESCE(a.story_id, -a.id)"
            f"{partition} ORDER BY COALESCE(a.reprint_of_id, 0), a.published_at DESC,"
            " a.id DESC) AS card_rank"
            " FROM stories_article a JOIN sources_source s ON s.id = a.source_id"
            f" WHERE a.status NOT IN ({_UNPUBLISHED}) AND s.active{scoped} AND ({articles})"
        )
    return (
        f"INSERT INTO {TABLE} (kind, scope_id, published_at, article_id, source_id, story_id)"  # noqa: S608
        " SELECT kind, scope_id, published_at, id, source_id, story_id"
        f" FROM ({' UNION ALL '.join(parts)}) AS ranked WHERE card_rank = 1"
    )


def _sqlite_refresh(stories: str, articles: str) -> str:
    """Return trigger statements working out again ``stories`` and the unplaced ``articles``.

    Both are SQL expressions giving ids (a list in parentheses or a subquery).
    """
    return (
        f"DELETE FROM {TABLE} WHERE story_id IN {stories};"  # noqa: S608
        f" DELETE FROM {TABLE} WHERE article_id IN {articles};"
        f" {_ranked(f'a.story_id IN {stories}')};"
        f" {_ranked(f'a.id IN {articles} AND a.story_id IS NULL')};"
    )


# What moves a card: an article's story, copy link, time, status or source; a
# source's active flag, category or editor.
_ARTICLE_COLUMNS = ("story_id", "reprint_of_id", "published_at", "status", "source_id")
_SOURCE_COLUMNS = ("active", "category_id", "editor_id")


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"old.{c} {distinct} new.{c}" for c in columns)


_SOURCE_STORIES = "(SELECT story_id FROM stories_article WHERE source_id = new.id)"
_SOURCE_UNPLACED = "(SELECT id FROM stories_article WHERE source_id = new.id AND story_id IS NULL)"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS listing_card_insert AFTER INSERT ON stories_article
       BEGIN {_sqlite_refresh("(new.story_id)", "(new.id)")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS listing_card_delete AFTER DELETE ON stories_article
       BEGIN {_sqlite_refresh("(old.story_id)", "(old.id)")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS listing_card_update
       AFTER UPDATE OF {", ".join(_ARTICLE_COLUMNS)} ON stories_article
       WHEN {_changed(_ARTICLE_COLUMNS, "IS NOT")}
       BEGIN {_sqlite_refresh("(old.story_id, new.story_id)", "(new.id)")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS listing_card_source
       AFTER UPDATE OF {", ".join(_SOURCE_COLUMNS)} ON sources_source
       WHEN {_changed(_SOURCE_COLUMNS, "IS NOT")}
       BEGIN {_sqlite_refresh(_SOURCE_STORIES, _SOURCE_UNPLACED)} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("listing_card_insert", "listing_card_delete", "listing_card_update")
] + ["DROP TRIGGER IF EXISTS listing_card_source"]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION newsdesk_listing_cards(stories bigint[], articles bigint[])
       RETURNS void LANGUAGE plpgsql
       -- Plan each call for its ids: a plan cached while the table was small (a new
       -- site, before autovacuum's ANALYZE) scans it whole, row by row of a bulk insert.
       SET plan_cache_mode = force_custom_plan AS $$
       BEGIN
         -- Two writers of one story take turns; each statement below then sees the other's rows.
         PERFORM 1 FROM stories_story WHERE id = ANY(stories) ORDER BY id FOR NO KEY UPDATE;
         DELETE FROM {TABLE} WHERE story_id = ANY(stories);
         DELETE FROM {TABLE} WHERE article_id = ANY(articles);
         {_ranked("a.story_id = ANY(stories)")};
         {_ranked("a.id = ANY(articles) AND a.story_id IS NULL")};
       END $$""",  # noqa: S608
    """CREATE OR REPLACE FUNCTION newsdesk_listing_card_article() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF current_setting('newsdesk.cards_deferred', true) = 'on' THEN
           RETURN NULL;  -- The writer works the cards out once for its batch (``deferred``).
         END IF;
         IF TG_OP = 'INSERT' THEN
           PERFORM newsdesk_listing_cards(ARRAY[NEW.story_id], ARRAY[NEW.id]);
         ELSIF TG_OP = 'DELETE' THEN
           PERFORM newsdesk_listing_cards(ARRAY[OLD.story_id], ARRAY[OLD.id]);
         ELSE
           PERFORM newsdesk_listing_cards(ARRAY[OLD.story_id, NEW.story_id], ARRAY[NEW.id]);
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE FUNCTION newsdesk_listing_card_source() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM newsdesk_listing_cards(
           ARRAY(SELECT DISTINCT story_id FROM stories_article
                 WHERE source_id = NEW.id AND story_id IS NOT NULL),
           ARRAY(SELECT id FROM stories_article WHERE source_id = NEW.id AND story_id IS NULL));
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER listing_card_rows AFTER INSERT OR DELETE ON stories_article
       FOR EACH ROW EXECUTE FUNCTION newsdesk_listing_card_article()""",
    # Django saves every column: only a real change works the cards out again.
    f"""CREATE TRIGGER listing_card_moves
       AFTER UPDATE OF {", ".join(_ARTICLE_COLUMNS)} ON stories_article FOR EACH ROW
       WHEN ({_changed(_ARTICLE_COLUMNS, "IS DISTINCT FROM")})
       EXECUTE FUNCTION newsdesk_listing_card_article()""",
    f"""CREATE TRIGGER listing_card_source
       AFTER UPDATE OF {", ".join(_SOURCE_COLUMNS)} ON sources_source FOR EACH ROW
       WHEN ({_changed(_SOURCE_COLUMNS, "IS DISTINCT FROM")})
       EXECUTE FUNCTION newsdesk_listing_card_source()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS listing_card_rows ON stories_article",
    "DROP TRIGGER IF EXISTS listing_card_moves ON stories_article",
    "DROP TRIGGER IF EXISTS listing_card_source ON sources_source",
    "DROP FUNCTION IF EXISTS newsdesk_listing_card_article()",
    "DROP FUNCTION IF EXISTS newsdesk_listing_card_source()",
    "DROP FUNCTION IF EXISTS newsdesk_listing_cards(bigint[], bigint[])",
]


# Installed by migration 0009; dropped and created again around a bulk load.
TRIGGERS = TriggerSet(POSTGRES_CREATE, POSTGRES_DROP, SQLITE_TRIGGERS, SQLITE_DROP)


@contextmanager
def deferred(
    story_ids: Callable[[], Collection[int]], article_ids: Collection[int]
) -> Iterator[None]:
    """Work the cards out once for a batch of article writes, not once per row (PostgreSQL).

    Inside a transaction: the article triggers skip their work while the block
    runs; at its end the cards of ``story_ids()`` (asked then: the stories the
    batch touched, and those the articles left) and of ``article_ids`` are worked
    out in one call. SQLite's triggers, in process, stay on.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL newsdesk.cards_deferred = 'on'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL newsdesk.cards_deferred = 'off'")
        cursor.execute(
            "SELECT newsdesk_listing_cards(%s::bigint[], %s::bigint[])",
            [sorted(story_ids()), sorted(article_ids)],
        )


def ensure_sqlite_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Create the SQLite triggers again if a table rebuild dropped them (after every migrate)."""
    db = using or connection
    if db.vendor == "sqlite" and TABLE in db.introspection.table_names():
        TRIGGERS.create(db)


# Latest News (kind 0, scope 0) holds most cards; scope ids alone repeat across kinds,
# so the planner, taking the two columns as independent, would guess a few
# thousand rows for it and sort them all instead of walking the index to a page.
POSTGRES_STATISTICS = (
    f"CREATE STATISTICS IF NOT EXISTS listing_card_scope (mcv) ON kind, scope_id FROM {TABLE}"
)


def tidy(using: BaseDatabaseWrapper | None = None) -> None:
    """Give PostgreSQL's planner the card table's statistics and its visibility map.

    Run outside a transaction (VACUUM refuses one). SQLite needs neither: the
    card index is the only one a page's query can walk.
    """
    db = using or connection
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(POSTGRES_STATISTICS)
            cursor.execute(f"VACUUM ANALYZE {TABLE}")


def rebuild(using: BaseDatabaseWrapper | None = None) -> None:
    """Work out every listing's cards again from the articles (a migration, a bulk load)."""
    db = using or connection
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (a constant)
        cursor.execute(_ranked("1 = 1"))
