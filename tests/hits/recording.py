"""Helpers for the recording tests: articles to view and hits at known times."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from newsdesk.hits.buffer import Hit
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article

NOON = datetime(2026, 3, 10, 12, 15, tzinfo=dt.UTC)


def make_article(title: str = "Rivers rise in the north", category_slug: str = "world") -> Article:
    category, _ = Category.objects.get_or_create(
        slug=category_slug, defaults={"name": category_slug.title()}
    )
    editor, _ = Editor.objects.get_or_create(slug="ada", defaults={"display_name": "Ada Byron"})
    source, _ = Source.objects.get_or_create(
        feed_url=f"http://127.0.0.1/{category_slug}.xml",
        defaults={"name": f"{category_slug.title()} Wire", "category": category, "editor": editor},
    )
    return Article.objects.create(
        source=source,
        guid=title,
        url=f"http://127.0.0.1/{title.lower().replace(' ', '-')}",
        slug=title.lower().replace(" ", "-"),
        title=title,
        summary="A summary.",
        body_html="<p>Body.</p>",
        published_at=NOON,
        first_seen_at=NOON,
    )


def view(
    ts: datetime = NOON,
    visitor: str = "a" * 32,
    article_id: int | None = None,
    referrer_host: str = "",
) -> Hit:
    """Return a reader's hit as the recorder would queue it."""
    return Hit(
        ts=ts,
        kind="article" if article_id else "home",
        path=f"/article/{article_id}/x/" if article_id else "/",
        article_id=article_id,
        visitor=visitor,
        referrer_host=referrer_host,
        device="desktop",
        browser="Firefox",
    )


def filtered(reason: str, ts: datetime = NOON) -> Hit:
    return Hit(ts=ts, reason=reason)
