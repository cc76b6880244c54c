"""`newsdesk stories export`: one JSON object per stored article, for checking from outside.

The fields are a contract (tests hold them): url, source, published_at, story,
reprint_of, first_in_story. Add a field only with a new name; never change one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsdesk.stories.models import Article

FIELDS = ("url", "source", "published_at", "story", "reprint_of", "first_in_story")


def export_rows() -> Iterator[dict[str, Any]]:
    """Yield every stored article's export row, oldest stored first."""
    articles = (
        Article.objects.order_by("pk")
        .select_related("source", "reprint_of", "story")
        .only(
            "url",
            "published_at",
            "story_id",
            "source__name",
            "reprint_of__url",
            "story__first_article_id",
        )
    )
    for article in articles.iterator(chunk_size=2000):
        story = article.story
        yield {
            "url": article.url,
            "source": article.source.name,
            "published_at": article.published_at.isoformat(),
            "story": story.pk if story is not None else None,
            "reprint_of": article.reprint_of.url if article.reprint_of is not None else None,
            "first_in_story": story is not None and story.first_article_id == article.pk,
        }
