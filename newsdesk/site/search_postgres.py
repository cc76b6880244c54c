"""Full-text search on PostgreSQL: the stored ``search_vector``, ts_rank_cd and ts_headline.

Each article's vector was built with its own language's configuration, so a
query is read once per configuration present among the articles
(``websearch_to_tsquery``, which never fails on syntax) and the distinct
readings are OR'ed: "running" finds an English "runs" through the English
stemmer and a French "élections" is found through the French one. When the
full text finds nothing, titles close to the query by trigram word similarity
(typos, fragments: "reykjavk") are the results instead. Relevance ranks the
newest ``RANK_CANDIDATES`` matches, so a word found in most articles costs a
bounded amount of ranking; ``?sort=date`` pages through every match.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

# SQL below is formatted only from this module's constants (hence noqa S608).
from newsdesk.site.search_terms import (
    ELLIPSIS,
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    Marked,
    Order,
)

# ts_rank_cd weights for D, C, B, A labels: body C, summary B, title A.
RANK_WEIGHTS = "{0.05, 0.2, 0.4, 1.0}"
# 1: divide by 1 + log(length), so long bodies do not win by sheer length;
# 32: scale to [0, 1), so a full-text match always outranks a trigram one.
RANK_NORMALIZATION = 1 | 32
# With fewer full-text matches than this, titles similar to the query join.
# One: only when full text finds nothing, so phrases and -words stay exact
# whenever they match at all; a typo or a fragment still finds something.
FEW_MATCHES = 1
# Relevance orders the newest this many matches; date order reaches them all.
# Ranking reads each candidate's whole vector (about 30 µs each).
RANK_CANDIDATES = 500
# Headlines parse the whole text they are given (about 0.1 ms per 1,000
# characters): a match further into the body shows the summary's passage.
HEADLINE_CHARS = 4_000

# Distinct languages via the language index, one probe per language
# (a "loose index scan"), each read as that language's configuration.
_READINGS_SQL = """
WITH RECURSIVE seen(language) AS (
    SELECT min(language) FROM stories_article
    UNION ALL
    SELECT (SELECT min(a.language) FROM stories_article a WHERE a.language > seen.language)
    FROM seen WHERE seen.language IS NOT NULL
)
SELECT DISTINCT websearch_to_tsquery(newsdesk_search_config(language), %s)::text
FROM seen WHERE language IS NOT NULL
"""
_PUBLISHED = (
    "FROM stories_article a JOIN sources_source s ON s.id = a.source_id"
    " WHERE a.status = 'published' AND s.active"
)
_FTS = "a.search_vector @@ %s::tsquery"
_TRIGRAM = "newsdesk_unaccent(a.title) %%> newsdesk_unaccent(%s)"


def prepare(query: str) -> str:
    """Return the query as this back end runs it: a tsquery text ("" matches nothing)."""
    return tsquery(query)


def tsquery(query: str) -> str:
    """Return the query read in every configuration present, OR'ed, as tsquery text."""
    with connection.cursor() as cursor:
        cursor.execute(_READINGS_SQL, [query])
        readings = sorted(row[0] for row in cursor.fetchall() if row[0])
    return " | ".join(f"( {reading} )" for reading in readings)


def finds_little(text_query: str) -> bool:
    """Tell whether fewer than ``FEW_MATCHES`` published articles match the full text.

    Asked in the shape of the ranking's candidates (newest ``RANK_CANDIDATES``),
    not as ``LIMIT FEW_MATCHES``: the planner guesses 0.5 % of articles for a word
    it has no statistics on, so a LIMIT 1 looked cheapest as a sequential scan
    that, for a word found nowhere, read every vector (over 10 s at 1M articles).
    For RANK_CANDIDATES rows it reads the GIN index for such a word, and still
    walks the date index for a common one.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 {_PUBLISHED} AND {_FTS}"  # noqa: S608
            " ORDER BY a.published_at DESC, a.id DESC LIMIT %s) found",
            [text_query, RANK_CANDIDATES],
        )
        return int(cursor.fetchone()[0]) < FEW_MATCHES


def match_ids(text_query: str, query: str, order: Order, offset: int, limit: int) -> list[int]:
    """Return ids of published articles matching ``text_query`` (``query`` as typed), in order.

    The full text answers first; only when it finds little (a first page short of
    ``FEW_MATCHES``, or ``finds_little`` for a later page) do titles answer by
    trigram similarity. A search that matches costs no extra question.
    """
    if not text_query:
        return []
    ids = _ids(_FTS, [text_query], _FTS_RANK, [text_query], order, offset, limit)
    if len(ids) >= FEW_MATCHES or (offset and not finds_little(text_query)):
        return ids
    return _ids(_TRIGRAM, [query], _TRIGRAM_RANK, [query], order, offset, limit)


_FTS_RANK = f"ts_rank_cd('{RANK_WEIGHTS}', a.search_vector, %s::tsquery, {RANK_NORMALIZATION})"
_TRIGRAM_RANK = "word_similarity(newsdesk_unaccent(%s), newsdesk_unaccent(a.title))"


def _ids(
    condition: str,
    params: list[str],
    rank: str,
    rank_params: list[str],
    order: Order,
    offset: int,
    limit: int,
) -> list[int]:
    """Return the ids of published articles meeting ``condition``, by date or by ``rank``."""
    arguments: list[str | int]
    newest = "a.published_at DESC, a.id DESC"
    if order is Order.DATE:
        sql = f"SELECT a.id {_PUBLISHED} AND {condition} ORDER BY {newest} LIMIT %s OFFSET %s"
        arguments = [*params, limit, offset]
    else:
        # Rank the newest candidates only: a word in most articles would
        # otherwise read every matching vector on every page.
        sql = (
            "SELECT a.id FROM (SELECT a.id, a.published_at, a.title, a.search_vector"  # noqa: S608
            f" {_PUBLISHED} AND {condition} ORDER BY {newest} LIMIT %s) a"
            f" ORDER BY {rank} DESC, {newest} LIMIT %s OFFSET %s"
        )
        arguments = [*params, RANK_CANDIDATES, *rank_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return [row[0] for row in cursor.fetchall()]


def highlights(text_query: str, ids: Sequence[int]) -> dict[int, Marked]:
    """Return each article's title and best passages with matched words between markers."""
    if not text_query or not ids:
        return {}
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12,"
        f' MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
    )
    title_options = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
    config = "newsdesk_search_config(language)"
    sql = (
        f"SELECT id, ts_headline({config}, title, q, %s), ts_headline({config}, summary, q, %s),"  # noqa: S608
        f" ts_headline({config}, left(body_text, {HEADLINE_CHARS}), q, %s)"
        " FROM stories_article, CAST(%s AS tsquery) q WHERE id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [title_options, options, options, text_query, list(ids)])
        return {row[0]: Marked(title=row[1], passages=(row[2], row[3])) for row in cursor}
