"""Articles built from the evaluation corpus, for tests of the Understand stage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from newsdesk.sources.models import Source
from newsdesk.stories.evalset import CorpusArticle, load_corpus
from newsdesk.stories.models import Article
from newsdesk.stories.stage import understand_new_articles
from tests.site.factories import make_article, make_source

_corpus: list[CorpusArticle] = []


def corpus() -> list[CorpusArticle]:
    if not _corpus:
        _corpus.extend(load_corpus())
    return _corpus


def event(event_id: int) -> list[CorpusArticle]:
    """The corpus articles of one event, oldest first."""
    return sorted((a for a in corpus() if a.event_id == event_id), key=lambda a: a.published)


def store(article: CorpusArticle, source: Source | None = None, **overrides: Any) -> Article:
    """Store a corpus article as if ingest had just stored it (not yet placed)."""
    fields: dict[str, Any] = {
        "title": article.title,
        "summary": article.description[:300],
        "body_text": article.text,
        "body_html": "".join(f"<p>{p}</p>" for p in article.text.split("\n") if p),
        "published_at": article.published,
        "first_seen_at": article.published + timedelta(hours=2),
        "url": article.url,
        "canonical_url": article.url,
        "language": "en",
    }
    fields.update(overrides)
    return make_article(source=source or make_source(name=article.outlet), **fields)


def store_republished(original: CorpusArticle) -> Article:
    """Store another outlet's copy of ``original``: a new first line, five hours later."""
    return store(
        original,
        source=make_source(name="Republisher"),
        body_text="Republished with permission.\n" + original.text,
        url="https://republisher.example/copy",
        canonical_url="https://republisher.example/copy",
        published_at=original.published + timedelta(hours=5),
    )


def store_older_copy_second(original: CorpusArticle) -> tuple[Article, Article]:
    """Store a report, then (placing each) a wire's copy published three hours before it.

    Returns (the report stored first, the copy stored second).
    """
    late = store(original, published_at=original.published + timedelta(hours=3))
    understand_new_articles()
    early = store(
        original,
        source=make_source(name="Wire"),
        body_text=original.text,
        url="https://wire.example/a",
        canonical_url="https://wire.example/a",
        published_at=original.published,
    )
    understand_new_articles()
    return late, early
