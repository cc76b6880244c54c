"""Search published articles by title, summary and text.

Every database gets the portable search: each word of the query must occur
(case-insensitively) in the title, summary or body text. On PostgreSQL,
articles matching as full text are also found and ranked first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from newsdesk.core.languages import normalize_language
from newsdesk.site.queries import listing
from newsdesk.stories.models import Article

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8

# PostgreSQL text search configurations for the site languages it ships with.
PG_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "sv": "swedish",
}


def clean_query(raw: str) -> str:
    """Collapse whitespace and bound the length of a user's query."""
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def query_terms(query: str) -> list[str]:
    """Split a query into at most ``MAX_TERMS`` distinct words."""
    terms: list[str] = []
    for word in query.split():
        word = word.strip("\"'")
        if word and word.lower() not in {term.lower() for term in terms}:
            terms.append(word)
    return terms[:MAX_TERMS]


def contains_all(terms: list[str]) -> Q:
    """Match articles where every term occurs in the title, summary or body text."""
    condition = Q()
    for term in terms:
        condition &= (
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term)
        )
    return condition


def search_articles(raw_query: str) -> QuerySet[Article]:
    """Return published articles matching ``raw_query``, best first; none for a blank query."""
    query = clean_query(raw_query)
    terms = query_terms(query)
    if not terms:
        return listing().none()
    if connection.vendor == "postgresql":
        return _search_postgres(query, terms)
    return listing().filter(contains_all(terms))


def _search_postgres(query: str, terms: list[str]) -> QuerySet[Article]:
    """Rank full-text matches first, keeping the portable substring matches too."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = PG_CONFIGS.get(normalize_language(settings.NEWSDESK_LANGUAGE), "simple")
    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    )
    search_query = SearchQuery(query, search_type="websearch", config=config)
    return (
        listing()
        .annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(Q(search=search_query) | contains_all(terms))
        .order_by("-rank", "-published_at", "-id")
    )
