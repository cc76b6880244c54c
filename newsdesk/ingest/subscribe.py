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
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from newsdesk.core.text import clean_text, one_line
from newsdesk.core.urls import is_http_url
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


@dataclass(frozen=True)
class SourceOptions:
    """What the operator set when subscribing; None means "not given, leave it as it is"."""

    name: str | None = None
    category: Category | str | None = None  # a Category, or a name (created if new)
    editor: Editor | None = None
    language: str | None = None

    def values(self) -> dict[str, object]:
        """The fields to set on a source, for the options that were given."""
        given: dict[str, object] = {}
        if self.name:
            given["name"] = self.name[:200]
        if self.category:
            category = self.category
            given["category"] = (
                get_or_create_category(category) if isinstance(category, str) else category
            )
        if self.editor is not None:
            given["editor"] = self.editor
        if self.language is not None:
            given["language"] = self.language
        return given


@dataclass(frozen=True)
class Subscription:
    """What add_source did: a new source, or an existing one and the options it changed."""

    source: Source
    created: bool
    changed: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say what happened, in one sentence for the operator."""
        where = f"{self.source.name!r} ({self.source.feed_url})"
        if self.created:
            return f"Added {where}; it is due now."
        if self.changed:
            return f"{where} is already a source; changed: {', '.join(self.changed)}."
        return f"{where} is already a source; nothing changed."


class AlreadySubscribed(SourceError):
    """The URL is, or leads to, a feed that is already a source."""

    def __init__(self, source: Source) -> None:
        super().__init__(f"{source.feed_url} is already the source {source.name!r}")
        self.source = source


def add_source(
    url: str,
    options: SourceOptions | None = None,
    *,
    update_existing: bool = True,
    check: bool = True,
    fetcher: Fetcher | None = None,
) -> Subscription:
    """Register the feed behind ``url`` as a source due now; never silently rewrite one.

    A URL that is (or discovery finds) an existing source's feed changes only
    the options given, or raises AlreadySubscribed when ``update_existing`` is
    false. ``check=False`` registers a feed URL without fetching it (OPML
    import); the first crawl then reports what is wrong with it.
    """
    options = options or SourceOptions()
    url = check_feed_url(url.strip())
    existing = find_source(url)
    if existing is None:
        if check:
            with nullcontext(fetcher) if fetcher else Fetcher() as active:
                found = find_feed(url, active)
        else:
            found = FoundFeed(url, "", "", "")
        existing = find_source(found.feed_url)
        if existing is None:
            created = _create(found, options)
            if created is not None:
                return Subscription(created, created=True)
            existing = find_source(found.feed_url)
    assert existing is not None
    if not update_existing:
        raise AlreadySubscribed(existing)
    return Subscription(existing, created=False, changed=_apply(existing, options))


def find_source(url: str) -> Source | None:
    """The source whose feed is at ``url`` now or was before it moved."""
    if not url:
        return None
    return (
        Source.objects.filter(feed_url=url).first()
        or Source.objects.filter(previous_feed_url=url).first()
    )


def check_feed_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL, else raise SourceError."""
    if not is_http_url(url):
        raise SourceError(f"{url!r} is not an http(s) URL")
    return url


def _create(found: FoundFeed, options: SourceOptions) -> Source | None:
    values = options.values()
    values.setdefault("name", (found.title or found.feed_url)[:200])
    try:
        with transaction.atomic():
            return Source.objects.create(
                feed_url=found.feed_url,
                site_url=found.site_url,
                fetch_interval=timedelta(minutes=settings.NEWSDESK_FETCH_INTERVAL),
                **values,
            )
    except IntegrityError:
        # Someone added the same feed a moment ago.
        return None


def _apply(source: Source, options: SourceOptions) -> tuple[str, ...]:
    values = options.values()
    changed = tuple(name for name, value in values.items() if getattr(source, name) != value)
    for name in changed:
        setattr(source, name, values[name])
    if changed:
        source.save(update_fields=list(changed))
    return changed
