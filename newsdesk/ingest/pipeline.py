"""Refresh sources: fetch -> parse -> extract -> assemble -> store.

This is the only ingest module that touches the ORM. Each source is refreshed
on its own: an ``IngestError`` is stored on the source and the crawl goes on;
an error in one entry skips that entry and keeps the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from newsdesk.ingest.assemble import (
    PreparedArticle,
    assemble_article,
    entry_fingerprint,
    entry_url,
    wants_page,
)
from newsdesk.ingest.errors import BlockedError, IngestError, RateLimitedError
from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.types import ExtractedPage, FetchResult, ParsedEntry
from newsdesk.sources.models import FetchStatus, Source
from newsdesk.stories.models import Article

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
ERROR_LIMIT = 2000


@dataclass
class RefreshResult:
    """What one refresh of one source did."""

    source_id: int
    source_name: str
    status: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed_entries: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FetchStatus.ERROR


def check_host_allowed(url: str) -> None:
    """Refuse hosts outside NEWSDESK_FETCH_ALLOWED_HOSTS when that list is set."""
    allowed = settings.NEWSDESK_FETCH_ALLOWED_HOSTS
    host = urlsplit(url).hostname or ""
    if allowed and host not in allowed:
        raise BlockedError(f"host {host!r} is not in NEWSDESK_FETCH_ALLOWED_HOSTS")


def fetch(fetcher: Fetcher, url: str, **kwargs: str) -> FetchResult:
    check_host_allowed(url)
    return fetcher.fetch(url, **kwargs)


def refresh_source(source: Source, *, fetcher: Fetcher | None = None) -> RefreshResult:
    """Fetch one source and store its new and changed entries; never raises IngestError."""
    own = fetcher is None
    active = fetcher or Fetcher()
    try:
        return _refresh(source, active)
    finally:
        if own:
            active.close()


def _refresh(source: Source, fetcher: Fetcher) -> RefreshResult:
    result = RefreshResult(source.pk, source.name, FetchStatus.OK)
    now = timezone.now()
    try:
        response = fetch(
            fetcher, source.feed_url, etag=source.etag, last_modified=source.last_modified
        )
    except RateLimitedError as error:
        return _record_failure(source, result, error, retry_at=error.retry_at)
    except IngestError as error:
        return _record_failure(source, result, error)
    if response.not_modified:
        # A 304 changes nothing but the schedule (RFC 9110 §15.4.5).
        result.status = FetchStatus.NOT_MODIFIED
        _record_success(source, result, response, now)
        return result
    try:
        feed = parse_feed(
            response.content, url=response.url, content_type=response.content_type_header
        )
    except IngestError as error:
        return _record_failure(source, result, error, http_status=response.status)
    known = KnownArticles.load(source, feed.entries)
    for entry in feed.entries:
        _store_entry(source, entry, fetcher, feed.language, known, result)
    if feed.warning:
        logger.info("feed warning", extra={"source": source.pk, "warning": feed.warning})
    _record_success(source, result, response, now)
    return result


def _store_entry(
    source: Source,
    entry: ParsedEntry,
    fetcher: Fetcher,
    feed_language: str,
    known: KnownArticles,
    result: RefreshResult,
) -> None:
    try:
        outcome = store_entry(source, entry, fetcher, feed_language, known)
    except IngestError as error:
        result.failed_entries += 1
        logger.warning(
            "entry failed", extra={"source": source.pk, "guid": entry.guid, "error": str(error)}
        )
        return
    except Exception:
        # A bug in one entry must not lose the rest of the feed.
        result.failed_entries += 1
        logger.exception("entry crashed", extra={"source": source.pk, "guid": entry.guid})
        return
    setattr(result, outcome, getattr(result, outcome) + 1)


def store_entry(
    source: Source, entry: ParsedEntry, fetcher: Fetcher, feed_language: str, known: KnownArticles
) -> str:
    """Create or update the article for ``entry``; return "new", "updated" or "unchanged"."""
    existing = known.find(entry)
    if existing is not None and existing.entry_fingerprint == entry_fingerprint(entry):
        return "unchanged"
    page = fetch_page(fetcher, entry) if wants_page(entry) else None
    prepared = assemble_article(
        entry,
        page=page,
        feed_url=source.feed_url,
        source_language=source.language,
        feed_language=feed_language,
        first_seen=existing.first_seen_at if existing else timezone.now(),
    )
    if existing is None:
        created = _create(source, prepared)
        if created is None:
            return "unchanged"
        known.add(created)
        return "new"
    _update(existing, prepared)
    return "updated"


@dataclass
class KnownArticles:
    """The source's stored articles that a feed's entries may match, read in one query."""

    source: Source
    by_guid: dict[str, Article]
    by_url: dict[str, Article]

    @classmethod
    def load(cls, source: Source, entries: list[ParsedEntry]) -> KnownArticles:
        guids = {entry.guid[:2000] for entry in entries}
        urls = {url for entry in entries if (url := entry_url(entry, source.feed_url))}
        found = Article.objects.filter(source=source).filter(Q(guid__in=guids) | Q(url__in=urls))
        known = cls(source, {}, {})
        for article in found:
            known.add(article)
        return known

    def add(self, article: Article) -> None:
        self.by_guid[article.guid] = article
        if article.url:
            self.by_url.setdefault(article.url, article)

    def find(self, entry: ParsedEntry) -> Article | None:
        """Match on guid, falling back to the canonical URL when the guid changed."""
        found = self.by_guid.get(entry.guid[:2000])
        url = entry_url(entry, self.source.feed_url)
        if found is None and url:
            found = self.by_url.get(url)
        return found


def fetch_page(fetcher: Fetcher, entry: ParsedEntry) -> ExtractedPage | None:
    """Fetch and extract the entry's page; on failure keep the feed's own text."""
    try:
        response = fetch(fetcher, entry.url, accept=PAGE_ACCEPT)
        return extract_article(response.content, url=response.url)
    except IngestError as error:
        logger.info("full text unavailable", extra={"url": entry.url, "error": str(error)})
        return None


def _fields(prepared: PreparedArticle) -> dict[str, object]:
    return {
        "url": prepared.url,
        "slug": prepared.slug,
        "title": prepared.title[:1000],
        "summary": prepared.summary,
        "body_html": prepared.body_html,
        "body_text": prepared.body_text,
        "author": prepared.author[:300],
        "image_url": prepared.image_url[:2000],
        "language": prepared.language,
        "entry_fingerprint": prepared.entry_fingerprint,
        "canonical_url": prepared.canonical_url[:2000],
        "body_hash": prepared.body_hash,
    }


def _create(source: Source, prepared: PreparedArticle) -> Article | None:
    try:
        with transaction.atomic():
            return Article.objects.create(
                source=source,
                guid=prepared.guid[:2000],
                published_at=prepared.published,
                updated_at=prepared.updated,
                first_seen_at=prepared.first_seen,
                **_fields(prepared),
            )
    except IntegrityError:
        # Another worker stored the same entry a moment ago: one article, not two.
        return None


def _update(article: Article, prepared: PreparedArticle) -> None:
    for name, value in _fields(prepared).items():
        setattr(article, name, value)
    article.updated_at = prepared.updated or timezone.now()
    article.save()


def _record_success(
    source: Source, result: RefreshResult, response: FetchResult, now: datetime
) -> None:
    source.etag = response.etag[:500]
    source.last_modified = response.last_modified[:100]
    source.last_http_status = response.status
    source.last_status = result.status
    source.last_error = ""
    source.consecutive_failures = 0
    source.last_fetched_at = now
    source.next_fetch_at = now + source.fetch_interval
    source.save(update_fields=_SCHEDULE_FIELDS)


def _record_failure(
    source: Source,
    result: RefreshResult,
    error: IngestError,
    *,
    retry_at: datetime | None = None,
    http_status: int | None = None,
) -> RefreshResult:
    now = timezone.now()
    result.status = FetchStatus.ERROR
    result.error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    source.last_status = FetchStatus.ERROR
    source.last_error = result.error
    source.last_http_status = getattr(error, "status", http_status)
    source.consecutive_failures += 1
    source.last_fetched_at = now
    backoff = min(
        source.fetch_interval * 2 ** min(source.consecutive_failures - 1, 10), MAX_BACKOFF
    )
    source.next_fetch_at = max(retry_at or now, now + backoff)
    source.save(update_fields=_SCHEDULE_FIELDS)
    logger.warning("source failed", extra={"source": source.pk, "error": result.error})
    return result


_SCHEDULE_FIELDS = [
    "etag",
    "last_modified",
    "last_http_status",
    "last_status",
    "last_error",
    "consecutive_failures",
    "last_fetched_at",
    "next_fetch_at",
]


def due_sources(now: datetime | None = None) -> list[Source]:
    """Active sources whose next fetch time has come."""
    moment = now or timezone.now()
    return list(Source.objects.filter(active=True, next_fetch_at__lte=moment).order_by("pk"))


def crawl(
    sources: Iterable[Source],
    *,
    workers: int | None = None,
    on_done: Callable[[RefreshResult], None] | None = None,
) -> list[RefreshResult]:
    """Refresh ``sources`` in a thread pool sharing one polite fetcher."""
    pool_size = max(1, workers or settings.NEWSDESK_FETCH_WORKERS)
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith("file:"):
        pool_size = 1  # An in-memory test database cannot take writers from several threads.
    results: list[RefreshResult] = []

    def done(outcome: RefreshResult) -> None:
        results.append(outcome)
        if on_done is not None:
            on_done(outcome)

    with Fetcher() as fetcher:
        if pool_size == 1:
            for source in sources:
                done(_refresh_guarded(source, fetcher))
            return results
        with ThreadPoolExecutor(max_workers=pool_size) as pool:
            futures = [pool.submit(_refresh_in_thread, source, fetcher) for source in sources]
            for future in futures:
                done(future.result())
    return results


def _refresh_guarded(source: Source, fetcher: Fetcher) -> RefreshResult:
    try:
        return refresh_source(source, fetcher=fetcher)
    except Exception as error:
        # Never let one source's bug stop the crawl; store it like any failure.
        logger.exception("refresh crashed", extra={"source": source.pk})
        result = RefreshResult(source.pk, source.name, FetchStatus.ERROR)
        return _record_failure(source, result, IngestError(f"internal error: {error}"))


def _refresh_in_thread(source: Source, fetcher: Fetcher) -> RefreshResult:
    try:
        return _refresh_guarded(source, fetcher)
    finally:
        connection.close()  # Each pool thread opened its own connection.
