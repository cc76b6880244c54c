"""Subscribe to a source: discover its feed, check it, and store it.

The one action behind `newsdesk add-source` and the admin's "Add source".
Like pipeline.py, this orchestrator reads and writes models; the stages it
calls (fetcher, discovery, parsers) do not.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from newsdesk.ingest.discovery import discover_feeds, looks_like_feed
from newsdesk.ingest.errors import IngestError, ParseError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.parsers import parse_feed
from newsdesk.sources.models import Category, Editor, Source


class SourceError(Exception):
    """The URL given cannot become a source."""


@dataclass(frozen=True)
class FoundFeed:
    feed_url: str
    title: str
    site_url: str
    language: str


def find_feed(url: str, fetcher: Fetcher) -> FoundFeed:
    """Return the feed at ``url``, or the first feed a page at ``url`` advertises."""
    try:
        response = fetcher.fetch(url)
        if not looks_like_feed(response.content, response.content_type):
            candidates = discover_feeds(response.content, base_url=response.url)
            if not candidates:
                raise SourceError(f"{url} is neither a feed nor a page that links to one")
            response = fetcher.fetch(candidates[0])
        feed = parse_feed(
            response.content, url=response.url, content_type=response.content_type_header
        )
    except ParseError as error:
        raise SourceError(f"{url}: not a readable feed ({error})") from error
    except IngestError as error:
        raise SourceError(f"{url}: {error}") from error
    return FoundFeed(response.url, feed.title, feed.site_url, feed.language)


def get_or_create_category(name: str) -> Category:
    """Find a category by name or slug, creating it at the end of the navigation."""
    slug = slugify(name)
    found = (
        Category.objects.filter(slug=slug).first()
        or Category.objects.filter(name__iexact=name).first()
    )
    if found:
        return found
    last = Category.objects.order_by("-order").values_list("order", flat=True).first() or 0
    return Category.objects.create(name=name, slug=slug, order=last + 10)


def add_source(
    url: str,
    *,
    category: str = "",
    name: str = "",
    editor: Editor | None = None,
    fetcher: Fetcher | None = None,
) -> Source:
    """Discover the feed behind ``url`` and register it as a source due now."""
    with nullcontext(fetcher) if fetcher else Fetcher() as active:
        found = find_feed(url, active)
    with transaction.atomic():
        source, _ = Source.objects.update_or_create(
            feed_url=found.feed_url,
            defaults={
                "name": name or found.title or found.feed_url,
                "site_url": found.site_url,
                "category": get_or_create_category(category) if category else None,
                "editor": editor,
                "fetch_interval": timedelta(minutes=settings.NEWSDESK_FETCH_INTERVAL),
            },
        )
    return source
