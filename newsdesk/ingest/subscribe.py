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

from newsdesk.core.text import clean_text, one_line
from newsdesk.ingest.discovery import FeedCandidate, feed_candidates, is_json_feed, looks_like_feed
from newsdesk.ingest.errors import IngestError, ParseError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.types import FetchResult, ParsedFeed
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
    """Return the feed at ``url``, or the first feed a page at ``url`` offers.

    A page's candidates (discovery.feed_candidates: its advertised feeds, or
    the common feed locations) are tried in order; each is one polite fetch
    bounded by the fetch deadline, and the first that is really a feed wins.
    """
    try:
        response = fetcher.fetch(url)
        if looks_like_feed(response.content, response.content_type):
            return _found(response, _parse(response))
    except ParseError as error:
        raise SourceError(f"{url}: not a readable feed ({error})") from error
    except IngestError as error:
        raise SourceError(f"{url}: {error}") from error
    candidates = feed_candidates(response.content, page_url=response.url)
    problems: list[str] = []
    for candidate in candidates:
        try:
            return _try_candidate(candidate, fetcher)
        except IngestError as error:
            problems.append(f"{candidate.url}: {error}")
    tried = f"; tried {len(problems)}: " + "; ".join(problems[:3]) if problems else ""
    raise SourceError(f"{url} is neither a feed nor a page that links to one{tried}")


def _try_candidate(candidate: FeedCandidate, fetcher: Fetcher) -> FoundFeed:
    response = fetcher.fetch(candidate.url)
    if not looks_like_feed(response.content, response.content_type):
        raise ParseError("not a feed")
    feed = _parse(response)
    if not candidate.accepts(feed.format, is_json_feed(response.content)):
        raise ParseError(f"advertised as {candidate.declared_type} but not a feed of that kind")
    return _found(response, feed)


def _parse(response: FetchResult) -> ParsedFeed:
    return parse_feed(response.content, url=response.url, content_type=response.content_type_header)


def _found(response: FetchResult, feed: ParsedFeed) -> FoundFeed:
    return FoundFeed(
        clean_text(response.url), one_line(feed.title), clean_text(feed.site_url), feed.language
    )


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
