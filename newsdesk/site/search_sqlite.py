"""Full-text search on SQLite: the FTS5 table ``article_search``, bm25 and snippet().

A reader's query is never handed to FTS5 as written: its query language treats
``"``, ``*``, ``(``, ``AND``, ``NEAR`` and more as syntax, and a stray one is an
error. The query is read like PostgreSQL's ``websearch_to_tsquery`` reads it
(words, "quoted phrases", ``or``, ``-word``) and every word is re-quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import connection

from newsdesk.site.search_terms import (
    ELLIPSIS,
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    Marked,
    Order,
    QueryItem,
    parse_websearch,
)

# bm25 column weights: title, summary, body (a title match outranks a body match).
WEIGHTS = (10.0, 4.0, 1.0)
_WORD = re.compile(r"\w", re.UNICODE)
# Relevance orders the most recently stored this many matches; date order reaches all.
RANK_CANDIDATES = 1_000
# Date order starts from the date index at this many matches, else from the matches.
MANY_MATCHES = 2_000
_PUBLISHED = (
    "FROM stories_article a JOIN sources_source s ON s.id = a.source_id"
    " WHERE a.status = 'published' AND s.active"
)


def quote(text: str) -> str:
    """Return ``text`` as one FTS5 string: a phrase of its words, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def fts_item(item: QueryItem) -> str:
    """Render one parsed word or phrase as an FTS5 phrase.

    Words are matched whole (accents folded, no stemmer): a prefix query
    would merge the postings of every longer word on every search.
    """
    return quote(item.text)


def fts_query(query: str) -> str:
    """Translate a reader's query into a safe FTS5 query; "" when nothing searchable is left."""
    items = [item for item in parse_websearch(query) if _WORD.search(item.text)]
    wanted = [item for item in items if not item.negated]
    if not wanted:
        return ""
    parts: list[str] = []
    for item in wanted:
        if parts:
            parts.append("OR" if item.or_before else "AND")
        parts.append(fts_item(item))
    expression = "(" + " ".join(parts) + ")"
    for item in items:
        if item.negated:
            expression += " NOT " + fts_item(item)
    return expression


def prepare(query: str) -> str:
    """Return the query as this back end runs it: an FTS5 query ("" matches nothing)."""
    return fts_query(query)


def match_ids(match: str, query: str, order: Order, offset: int, limit: int) -> list[int]:
    """Return ids of published articles matching FTS5 query ``match``, in ``order``."""
    if not match:
        return []
    newest = "a.published_at DESC, a.id DESC"
    if order is Order.DATE and many_matches(match):
        # Many matches: read the newest articles from the date index, checking
        # each against the match set, until a page is full.
        sql = (
            f"SELECT a.id {_PUBLISHED} AND a.id IN"  # noqa: S608
            " (SELECT rowid FROM article_search WHERE article_search MATCH %s)"
            f" ORDER BY {newest} LIMIT %s OFFSET %s"
        )
    elif order is Order.DATE:
        # Few matches: start from them (CROSS JOIN keeps SQLite's join order).
        sql = (
            "SELECT a.id FROM article_search CROSS JOIN stories_article a"  # noqa: S608
            " ON a.id = article_search.rowid JOIN sources_source s ON s.id = a.source_id"
            " WHERE article_search MATCH %s AND a.status = 'published' AND s.active"
            f" ORDER BY {newest} LIMIT %s OFFSET %s"
        )
    else:
        # Score the newest candidates inside FTS5 alone (it holds published
        # articles only; it walks ids newest first without sorting), then join
        # just those: a word in most articles costs a bounded amount.
        weights = ", ".join(str(weight) for weight in WEIGHTS)
        sql = (
            f"SELECT a.id FROM (SELECT rowid AS id, bm25(article_search, {weights}) AS score"  # noqa: S608
            " FROM article_search WHERE article_search MATCH %s"
            f" ORDER BY rowid DESC LIMIT {RANK_CANDIDATES}) f"
            " JOIN stories_article a ON a.id = f.id JOIN sources_source s ON s.id = a.source_id"
            " WHERE a.status = 'published' AND s.active"
            f" ORDER BY f.score, {newest} LIMIT %s OFFSET %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def many_matches(match: str) -> bool:
    """Tell whether the FTS5 query matches ``MANY_MATCHES`` articles or more (a bounded count)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM article_search"
            " WHERE article_search MATCH %s LIMIT %s)",
            [match, MANY_MATCHES],
        )
        return int(cursor.fetchone()[0]) >= MANY_MATCHES


def highlights(match: str, ids: Sequence[int]) -> dict[int, Marked]:
    """Return each article's title and best passages with matched words between markers."""
    if not match or not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT rowid, highlight(article_search, 0, %s, %s),"  # noqa: S608
        " snippet(article_search, 1, %s, %s, %s, %s), snippet(article_search, 2, %s, %s, %s, %s)"
        f" FROM article_search WHERE article_search MATCH %s AND rowid IN ({placeholders})"
    )
    snippet: list[str | int] = [MARK_START, MARK_END, ELLIPSIS, SNIPPET_WORDS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, *snippet, *snippet, match, *ids])
        return {row[0]: Marked(title=row[1], passages=(row[2], row[3])) for row in cursor}
