"""Small factories for site data; other test packages may import them.

Each ``make_*`` saves one row with sensible unique defaults; keyword arguments
override any field. Foreign keys left out are created on the fly (pass
``category=None`` or ``editor=None`` to leave them empty).
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article, Image

_counter = itertools.count(1)
_UNSET: Any = object()


def _next() -> int:
    return next(_counter)


def make_category(**overrides: Any) -> Category:
    number = _next()
    name = overrides.pop("name", f"Category {number}")
    fields: dict[str, Any] = {"name": name, "slug": slugify(name), "order": number}
    fields.update(overrides)
    return Category.objects.create(**fields)


def make_editor(**overrides: Any) -> Editor:
    number = _next()
    name = overrides.pop("display_name", f"Editor Number{number}")
    fields: dict[str, Any] = {"display_name": name, "slug": slugify(name)}
    fields.update(overrides)
    return Editor.objects.create(**fields)


def make_source(
    *, category: Category | None = _UNSET, editor: Editor | None = _UNSET, **overrides: Any
) -> Source:
    number = _next()
    fields: dict[str, Any] = {
        "name": f"Source {number}",
        "feed_url": f"https://source{number}.example.org/feed.xml",
        "site_url": f"https://source{number}.example.org/",
        "category": make_category() if category is _UNSET else category,
        "editor": make_editor() if editor is _UNSET else editor,
    }
    fields.update(overrides)
    return Source.objects.create(**fields)


def make_article(*, source: Source | None = None, **overrides: Any) -> Article:
    """Save an article; each new one is a minute older than the previous by default."""
    number = _next()
    title = overrides.pop("title", f"Article number {number} about the news")
    published_at: datetime = overrides.pop(
        "published_at", timezone.now() - timedelta(minutes=number)
    )
    fields: dict[str, Any] = {
        "source": source or make_source(),
        "guid": f"guid-{number}",
        "url": f"https://publisher.example.org/story/{number}",
        "slug": slugify(title)[:120] or "article",
        "title": title,
        "summary": f"Summary of article {number}.",
        "body_html": f"<p>Body of article {number}.</p>",
        "body_text": f"Body of article {number}.",
        "published_at": published_at,
        "first_seen_at": published_at,
        "language": "en",
    }
    fields.update(overrides)
    return Article.objects.create(**fields)


def make_image(**overrides: Any) -> Image:
    """Save a stored-image row (its files are not written; pages only name them)."""
    number = _next()
    fields: dict[str, Any] = {
        "digest": hashlib.sha256(f"image {number}".encode()).hexdigest(),
        "width": 1200,
        "height": 800,
        "widths": [320, 640, 1024, 1200],
        "extension": "webp",
        "source_format": "JPEG",
    }
    fields.update(overrides)
    return Image.objects.create(**fields)
