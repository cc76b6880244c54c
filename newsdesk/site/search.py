"""Search published articles: full text, ranked, highlighted, paged without counting.

PostgreSQL searches the stored per-language ``search_vector`` (and title
trigrams when full text finds little), SQLite its FTS5 table; both fold accents.
``search_articles(query, order=...)`` returns a ``SearchResults`` whose ``page``
fetches one page plus one row, so "Next" is known without counting the matches;
a count is given only where it is free (the last page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType

from django.db import connection
from django.utils.safestring import SafeString

from newsdesk.comments.templatetags.comments_tags import comment_count_expression
from newsdesk.site import search_postgres, search_sqlite
from newsdesk.site.queries import CARD_FIELDS
from newsdesk.site.search_terms import Marked, Order, clean_query, marked_html
from newsdesk.stories.models import Article, ArticleStatus

__all__ = ["Hit", "Order", "SearchPage", "SearchResults", "clean_query", "search_articles"]

PER_PAGE = 20


@dataclass(frozen=True)
class Hit:
    """One result: the article and why it matched, as escaped HTML with ``<mark>``."""

    article: Article
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    """One page of results; ``count`` is known only when it costs nothing (last page)."""

    hits: list[Hit]
    number: int
    per_page: int
    has_next: bool
    count: int | None = field(default=None)

    @property
    def object_list(self) -> list[Article]:
        return [hit.article for hit in self.hits]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.hits else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.hits)


def backend() -> ModuleType:
    """Return the search back end of the default database."""
    return search_postgres if connection.vendor == "postgresql" else search_sqlite


@dataclass(frozen=True)
class SearchResults:
    """The matches of one query in one order, read a page at a time."""

    query: str
    order: Order = Order.RELEVANCE

    @cached_property
    def prepared(self) -> str:
        """The query as the database's back end runs it, read once per results."""
        return str(backend().prepare(self.query)) if self.query else ""

    def ids(self, offset: int, limit: int) -> list[int]:
        """Return the ids of matches ``offset`` to ``offset + limit``, in order."""
        if not self.prepared:
            return []
        return list(backend().match_ids(self.prepared, self.query, self.order, offset, limit))

    def page(self, number: int, per_page: int = PER_PAGE) -> SearchPage:
        """Return page ``number`` (from 1), with highlights; fetch one extra row, never count."""
        offset = (max(number, 1) - 1) * per_page
        ids = self.ids(offset, per_page + 1)
        has_next = len(ids) > per_page
        shown = ids[:per_page]
        hits = self.hits(shown)
        count = None if has_next else offset + len(shown)
        return SearchPage(hits, max(number, 1), per_page, has_next, count)

    def hits(self, ids: Sequence[int]) -> list[Hit]:
        """Load the articles with ``ids`` for listing, in that order, with their highlights."""
        articles = load_listed(ids)
        marked = backend().highlights(self.prepared, list(articles)) if articles else {}
        hits = []
        for pk in ids:
            article = articles.get(pk)
            if article is None:  # hidden between the two queries
                continue
            found = marked.get(pk) or Marked(title=article.title, passages=(article.summary,))
            title = marked_html(found.title_or(article.title))
            hits.append(Hit(article, title, marked_html(found.best_passage())))
        return hits


def load_listed(ids: Sequence[int]) -> dict[int, Article]:
    """Load the still-listed articles among ``ids``, with what list items show.

    Status and source are checked here rather than in SQL: with a status filter,
    SQLite (without ANALYZE statistics) walks the status index over every
    published article instead of looking up a page of primary keys.
    """
    # Only what a result shows (a card's fields), with its comment count: the page
    # then asks no count of its own.
    rows = (
        Article.objects.select_related("source__category", "image")
        .only(*CARD_FIELDS, "status", "source__active")
        .annotate(comment_count=comment_count_expression())
        .filter(pk__in=list(ids))
    )
    return {a.pk: a for a in rows if a.status == ArticleStatus.PUBLISHED and a.source.active}


def search_articles(raw_query: str, order: Order | str = Order.RELEVANCE) -> SearchResults:
    """Return the published articles matching a reader's query; nothing for a blank query."""
    return SearchResults(clean_query(raw_query), Order.parse(str(order)))
