"""Refresh sources: fetch -> parse -> extract -> assemble -> store.

This is the only ingest module that touches the ORM. A refresh has three steps,
so that the crawler (ingest/crawler.py) and Celery (jobs/tasks.py) can hand
each network request out on its own:

    start_refresh(source)    fetch the feed, store entries that carry their full
                             text, and list the entries whose page is wanted
    store_page(job)          fetch one article page, extract it in a worker
                             process, store the article
    finish_refresh(run)      record the outcome and the next fetch time

``refresh_source()`` runs the three in a row. An ``IngestError`` is stored on
the source and the crawl goes on; an error in one entry skips that entry; a
page that cannot be fetched or extracted leaves the article with the feed's
own text and its error in the result.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsdesk.ingest.assemble import (
    EntryContext,
    entry_fingerprint,
    entry_url,
    wants_page,
)
from newsdesk.ingest.errors import IngestError, RateLimitedError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.health import publishing_rate
from newsdesk.ingest.image_pipeline import (
    Illustration,
    illustrate,
    lead_image_fields,
    record_images,
)
from newsdesk.ingest.images import IMAGE_ACCEPT, revalidate
from newsdesk.ingest.pagepool import PagePool, page_pool
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.schedule import (
    ERROR_LIMIT,
    describe_error,
    fetchable_sources,
    follow_move,
    record_failure,
    record_success,
    record_successes,
)
from newsdesk.ingest.template import SourceTemplate, TemplateState, observe, strip_learned
from newsdesk.ingest.types import ExtractedPage, FetchResult, ParsedEntry, PreparedArticle
from newsdesk.sources.models import FetchStatus, Source, SourceBoilerplate
from newsdesk.stories.models import Article

logger = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


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
    # "URL: reason" for each article page that could not be fetched or extracted.
    page_errors: list[str] = field(default_factory=list)
    # Why the crawler stopped fetching the source after this refresh, if it did.
    stopped: str = ""
    # The feed's new URL, when it answered with a permanent redirect.
    moved_to: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FetchStatus.ERROR

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def describe(self) -> str:
        """Say what the refresh did, in one line for the operator."""
        if not self.ok:
            said = f"{self.source_name}: failed: {self.error}"
        elif self.status == FetchStatus.NOT_MODIFIED:
            said = f"{self.source_name}: not modified since the last fetch"
        else:
            said = (
                f"{self.source_name}: {self.new} new, {self.updated} updated, "
                f"{self.unchanged} unchanged"
            )
        if self.failed_entries:
            said += f"; {self.failed_entries} entries failed"
        if self.page_errors:
            said += (
                f"; {len(self.page_errors)} page(s) kept the feed's text "
                f"(first: {self.page_errors[0]})"
            )
        if self.moved_to:
            said += f"; the feed moved for good to {self.moved_to}"
        if self.stopped:
            said += f". Fetching stopped: {self.stopped}"
        return said


@dataclass
class PageJob:
    """An entry whose article page must be fetched before it is stored."""

    source: Source
    entry: ParsedEntry
    feed_language: str
    article_id: int | None
    first_seen: datetime
    # The source's learned boilerplate, read once per refresh rather than once per page.
    templates: TemplateCache | None = field(default=None, repr=False, compare=False)

    @property
    def host(self) -> str:
        return host_of(self.entry.url)

    def to_payload(self) -> dict[str, Any]:
        """A JSON-safe form of the job, for a Celery task of its own."""
        entry = {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in asdict(self.entry).items()
        }
        return {
            "source_id": self.source.pk,
            "entry": entry,
            "feed_language": self.feed_language,
            "article_id": self.article_id,
            "first_seen": self.first_seen.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> PageJob | None:
        """Rebuild a job; None when its source is gone or no longer fetched."""
        source = fetchable_sources().filter(pk=payload["source_id"]).first()
        if source is None:
            return None
        entry = dict(payload["entry"])
        for item in fields(ParsedEntry):
            if "datetime" in str(item.type) and isinstance(entry.get(item.name), str):
                entry[item.name] = datetime.fromisoformat(entry[item.name])
        return cls(
            source,
            ParsedEntry(**entry),
            payload["feed_language"],
            payload["article_id"],
            datetime.fromisoformat(payload["first_seen"]),
        )


@dataclass
class RefreshRun:
    """One source's refresh in progress."""

    source: Source
    result: RefreshResult
    started: datetime
    response: FetchResult | None = None
    pages: list[PageJob] = field(default_factory=list)
    # Cut short (the crawler is stopping): record nothing, so the source stays due.
    interrupted: bool = False
    # Entries a day, from the dates in the feed (health.publishing_rate); None for a 304.
    items_per_day: float | None = None
    templates: TemplateCache = field(init=False)

    def __post_init__(self) -> None:
        self.templates = TemplateCache(self.source)


def host_of(url: str) -> str:
    """The host name a URL is fetched from, the key of per-host politeness."""
    return (urlsplit(url).hostname or "").lower()


def refresh_source(
    source: Source, *, fetcher: Fetcher | None = None, pages: PagePool | None = None
) -> RefreshResult:
    """Fetch one source and store its new and changed entries; never raises IngestError."""
    own = fetcher is None
    active = fetcher or Fetcher()
    try:
        run = start_refresh(source, active)
        for job in run.pages:
            run.result.count(store_page(job, active, pages, run.result))
        return finish_refresh(run)
    finally:
        if own:
            active.close()


def start_refresh(source: Source, fetcher: Fetcher) -> RefreshRun:
    """Fetch and parse the feed, store entries with full text, and list the pages to fetch."""
    run = fetch_feed(source, fetcher)
    if run.response is not None and not run.response.not_modified:
        plan_entries(run, fetcher)
    return run


def fetch_feed(source: Source, fetcher: Fetcher) -> RefreshRun:
    """Fetch the source's feed (conditionally); a failure is recorded on the source."""
    run = RefreshRun(source, RefreshResult(source.pk, source.name, FetchStatus.OK), timezone.now())
    try:
        run.response = fetcher.fetch(
            source.feed_url, etag=source.etag, last_modified=source.last_modified
        )
    except RateLimitedError as error:
        _record_failure(run, error, retry_at=error.retry_at)
    except IngestError as error:
        _record_failure(run, error)
    else:
        if run.response.not_modified:
            # A 304 changes nothing but the schedule (RFC 9110 §15.4.5).
            run.result.status = FetchStatus.NOT_MODIFIED
        if run.response.moved_to and run.response.moved_to != source.feed_url:
            moved_to, stopped = follow_move(source, run.response.moved_to, run.started)
            run.result.moved_to, run.result.stopped = moved_to, stopped
    return run


def plan_entries(run: RefreshRun, fetcher: Fetcher) -> None:
    """Parse the fetched feed; store what needs no page and queue what does."""
    assert run.response is not None
    source, response = run.source, run.response
    try:
        feed = parse_feed(
            response.content, url=response.url, content_type=response.content_type_header
        )
    except IngestError as error:
        _record_failure(run, error, http_status=response.status)
        return
    if feed.warning:
        logger.info("feed warning", extra={"source": source.pk, "warning": feed.warning})
    run.items_per_day = publishing_rate(
        (entry.published or entry.updated for entry in feed.entries), run.started
    )
    known = KnownArticles.load(source, feed.entries)
    for entry in feed.entries:
        try:
            outcome = _plan_entry(run, entry, feed.language, known, fetcher)
        except Exception as error:
            _log_entry_error(source, entry, error)
            outcome = "failed_entries"
        if outcome:
            run.result.count(outcome)


def _plan_entry(
    run: RefreshRun,
    entry: ParsedEntry,
    feed_language: str,
    known: KnownArticles,
    fetcher: Fetcher,
) -> str:
    """Store an entry now, or queue its page; return the outcome, or "" when queued."""
    url = entry_url(entry, run.source.feed_url)
    if known.pending(url):
        # An earlier entry with the same link is being fetched: one article, not two.
        return "unchanged"
    existing = known.find(entry)
    if existing is not None and existing.entry_fingerprint == entry_fingerprint(entry):
        return "unchanged"
    first_seen = existing.first_seen_at if existing else timezone.now()
    if wants_page(entry):
        known.queue(url)
        article_id = existing.pk if existing else None
        run.pages.append(
            PageJob(run.source, entry, feed_language, article_id, first_seen, run.templates)
        )
        return ""
    prepared = _entry_context(run.source, entry, feed_language, first_seen).assemble(None)
    return _store(run.source, prepared, existing, known, fetcher=fetcher, page=None)


def store_page(
    job: PageJob,
    fetcher: Fetcher,
    pages: PagePool | None = None,
    result: RefreshResult | None = None,
) -> str:
    """Fetch, extract and store one queued entry; return "new", "updated" or "unchanged"."""
    response, error = fetch_page(job, fetcher)
    return finish_page(job, response, error, fetcher, pages, result)


def fetch_page(job: PageJob, fetcher: Fetcher) -> tuple[FetchResult | None, str]:
    """Fetch a queued entry's article page; return it, or the reason it is missing."""
    try:
        return fetcher.fetch(job.entry.url, accept=PAGE_ACCEPT), ""
    except IngestError as error:
        return None, str(error)


def finish_page(
    job: PageJob,
    response: FetchResult | None,
    error: str,
    fetcher: Fetcher,
    pages: PagePool | None = None,
    result: RefreshResult | None = None,
) -> str:
    """Extract a fetched page (in a worker process) and store the entry; never raises.

    Return "new", "updated", "unchanged" or "failed_entries".
    """
    page: ExtractedPage | None = None
    template = SourceTemplate({})
    context = _entry_context(job.source, job.entry, job.feed_language, job.first_seen)
    if response is not None:
        try:
            # The boilerplate learned from the source's pages goes along (ingest/template.py).
            templates = job.templates or TemplateCache(job.source)
            template = templates.get()
            pool = pages or page_pool()
            page = pool.extract(
                response.content,
                url=response.url,
                template=template,
                entry=context if pool.assembles else None,
            )
        except IngestError as failure:
            error = f"{type(failure).__name__}: {failure}"
    if error:
        # The article keeps the feed's own text; the page's error goes in the result.
        logger.info("full text unavailable", extra={"url": job.entry.url, "error": error})
        if result is not None:
            result.page_errors.append(f"{job.entry.url}: {error}"[:ERROR_LIMIT])
    try:
        prepared = page.article if page is not None else None
        if prepared is None:
            prepared = context.assemble(page)
        existing = None
        if job.article_id is not None:
            existing = Article.objects.filter(pk=job.article_id).first()
        used = template.prints_for(page.template_host) if page is not None else frozenset()
        return _store(
            job.source,
            prepared,
            existing,
            None,
            fetcher=fetcher,
            page=page,
            templates=job.templates,
            used=used,
        )
    except Exception as failure:
        _log_entry_error(job.source, job.entry, failure)
        return "failed_entries"


def finish_refresh(run: RefreshRun) -> RefreshResult:
    """Record a refresh that fetched its feed: validators, status and the next fetch time."""
    if run.result.ok and run.response is not None:
        _record_success(run)
    return run.result


def is_unchanged(run: RefreshRun) -> bool:
    """Tell whether a finished refresh was a plain 304: nothing to store but the schedule."""
    return (
        run.result.status == FetchStatus.NOT_MODIFIED
        and run.response is not None
        and not run.pages
        and not run.result.moved_to
        and not run.result.stopped
    )


def finish_unchanged(runs: list[RefreshRun]) -> list[RefreshResult]:
    """``finish_refresh`` for many 304 refreshes at once (schedule.record_successes)."""
    record_successes(
        [
            (run.source, run.response, run.result.status, run.started, run.items_per_day)
            for run in runs
            if run.response is not None
        ]
    )
    return [run.result for run in runs]


def _log_entry_error(source: Source, entry: ParsedEntry, error: Exception) -> None:
    if isinstance(error, IngestError):
        logger.warning(
            "entry failed", extra={"source": source.pk, "guid": entry.guid, "error": str(error)}
        )
    else:
        # A bug in one entry must not lose the rest of the feed.
        logger.error(
            "entry crashed", extra={"source": source.pk, "guid": entry.guid}, exc_info=error
        )


def _entry_context(
    source: Source, entry: ParsedEntry, feed_language: str, first_seen: datetime
) -> EntryContext:
    return EntryContext(entry, source.feed_url, source.language, feed_language, first_seen)


@dataclass
class KnownArticles:
    """The source's stored articles that a feed's entries may match, read in one query."""

    source: Source
    by_guid: dict[str, Article]
    by_url: dict[str, Article]
    queued_urls: set[str] = field(default_factory=set)

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

    def pending(self, url: str) -> bool:
        """Tell whether a page for ``url`` is already queued by an earlier entry."""
        return bool(url) and url in self.queued_urls

    def queue(self, url: str) -> None:
        if url:
            self.queued_urls.add(url)


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


def _store(
    source: Source,
    prepared: PreparedArticle,
    existing: Article | None,
    known: KnownArticles | None,
    *,
    fetcher: Fetcher,
    page: ExtractedPage | None,
    templates: TemplateCache | None = None,
    used: frozenset[str] = frozenset(),
) -> str:
    """Create or update the article; return "new", "updated" or "unchanged".

    ``used``: the learned prints the page was extracted with (see learn_template).

    The article and its image rows are written in one transaction, a new article
    with its lead picture already set; the page's template counts in a second.
    A handful of statements per article instead of a dozen in three transactions.
    """
    prepared, pictures = _illustrate(prepared, fetcher)
    with transaction.atomic():
        if existing is not None:
            for name, value in _fields(prepared).items():
                setattr(existing, name, value)
            existing.updated_at = prepared.updated or timezone.now()
            existing.save()
            stored, outcome = existing, "updated"
            record_images(stored, pictures)
        else:
            try:
                with transaction.atomic():
                    stored = Article.objects.create(
                        source=source,
                        guid=prepared.guid[:2000],
                        published_at=prepared.published,
                        published_day_only=prepared.published_day_only,
                        updated_at=prepared.updated,
                        first_seen_at=prepared.first_seen,
                        **_fields(prepared),
                        **lead_image_fields(pictures),
                    )
            except IntegrityError:
                # Another worker stored the same entry a moment ago: one article, not two.
                return "unchanged"
            outcome = "new"
            if known is not None:
                known.add(stored)
            record_images(stored, pictures, created=True)
    # Counted after the article is committed, as a transaction of its own: a re-clean
    # triggered by another page must see this article, or it keeps the new boilerplate.
    learn_template(source, page, prepared.url, article=stored, used=used, templates=templates)
    return outcome


def _illustrate(
    prepared: PreparedArticle, fetcher: Fetcher
) -> tuple[PreparedArticle, Illustration]:
    """Images hook (ingest/image_pipeline.py): fetch and store them before the article.

    Done first, so no stored body ever points at another site's images.
    """
    return illustrate(prepared, lambda url: fetcher.fetch(url, accept=IMAGE_ACCEPT))


def _record_success(run: RefreshRun) -> None:
    assert run.response is not None
    record_success(
        run.source,
        run.response,
        run.result.status,
        run.started,
        items_per_day=run.items_per_day,
    )


def _record_failure(
    run: RefreshRun,
    error: IngestError,
    *,
    retry_at: datetime | None = None,
    http_status: int | None = None,
) -> None:
    run.result.status = FetchStatus.ERROR
    run.result.error = describe_error(error)
    run.result.stopped = record_failure(
        run.source, error, retry_at=retry_at, http_status=http_status
    )


def record_crash(source: Source, error: Exception) -> RefreshResult:
    """Store an unexpected error in a refresh like any failure, so the crawl goes on."""
    logger.error("refresh crashed", extra={"source": source.pk}, exc_info=error)
    run = RefreshRun(
        source, RefreshResult(source.pk, source.name, FetchStatus.ERROR), timezone.now()
    )
    _record_failure(run, IngestError(f"internal error: {error}"))
    return run.result


# -- Template learning hook ----------------------------------------------------
# A source's pages teach which blocks are its template (ingest/template.py): the
# learned prints go into every extraction of the source's pages, and when a
# print is learned, the source's stored articles lose that block too.

RECLEAN_LIMIT = 500


def source_template(source: Source) -> SourceTemplate:
    """The boilerplate learned so far from ``source``'s pages, by host."""
    rows = SourceBoilerplate.objects.filter(source=source).values_list("host", "learned")
    return SourceTemplate({host: frozenset(learned) for host, learned in rows})


class TemplateCache:
    """One refresh's view of its source's learned boilerplate, read again only after learning.

    Every page of a source used to read the same rows before its extraction;
    now the first page of a refresh reads them and the others reuse them,
    until a stored page teaches a new block (``forget``).
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self._template: SourceTemplate | None = None
        self._lock = threading.Lock()  # the crawler's threads share a refresh's pages

    def get(self) -> SourceTemplate:
        with self._lock:
            if self._template is None:
                self._template = source_template(self.source)
            return self._template

    def forget(self) -> None:
        with self._lock:
            self._template = None


def learn_template(
    source: Source,
    page: ExtractedPage | None,
    page_key: str,
    *,
    article: Article | None = None,
    used: frozenset[str] = frozenset(),
    templates: TemplateCache | None = None,
) -> frozenset[str]:
    """Count the page's blocks; re-clean stored articles when a block becomes boilerplate.

    Return the prints learned just now (empty when none). ``article``, stored
    from ``page`` with the learned prints ``used``, is cleaned of boilerplate
    learned meanwhile from other pages (whose re-clean may have run before it
    was stored).
    """
    if page is None or not page.template_host or not page.block_prints:
        return frozenset()
    with transaction.atomic():
        # get(), not first(): one row at most (unique per source and host), and
        # first()'s ORDER BY costs a third of the query to build, on every page.
        try:
            row = SourceBoilerplate.objects.select_for_update().get(
                source=source, host=page.template_host
            )
        except SourceBoilerplate.DoesNotExist:
            row = None
        state = TemplateState.from_json(row.state if row is not None else None)
        new = observe(state, page_key, page.block_prints)
        learned = state.learned()
        values = {"state": state.as_json(), "learned": sorted(learned)}
        if row is None:
            try:
                with transaction.atomic():
                    SourceBoilerplate.objects.create(
                        source=source, host=page.template_host, **values
                    )
            except IntegrityError:
                # Another thread counted this host's first page a moment ago: count on its row.
                return learn_template(
                    source, page, page_key, article=article, used=used, templates=templates
                )
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.save(update_fields=[*values, "updated_at"])
    if new and templates is not None:
        templates.forget()  # before the re-clean, so the refresh's next page reads it
    if new:
        reclean_articles(source, new)
    stale = (learned & frozenset(page.block_prints)) - used - new
    if stale and article is not None:
        _reclean(article, stale)
    return new


def _reclean(article: Article, prints: frozenset[str]) -> int:
    """Drop the blocks with ``prints`` from one stored article; return 1 if it changed."""
    cleaned = strip_learned(article.body_html, article.body_text, prints)
    if cleaned is None:
        return 0
    # Stored bodies are already sanitized and point at the site's own images;
    # sanitize_html() would drop srcset and absolutize those paths to the source.
    article.body_html = revalidate(cleaned[0])
    article.body_text = cleaned[1]
    article.save(update_fields=["body_html", "body_text"])
    return 1


def reclean_articles(source: Source, prints: frozenset[str]) -> int:
    """Drop newly learned boilerplate from the source's latest stored articles."""
    changed = 0
    for article in Article.objects.filter(source=source).order_by("-pk")[:RECLEAN_LIMIT]:
        changed += _reclean(article, prints)
    if changed:
        logger.info("boilerplate re-cleaned", extra={"source": source.pk, "articles": changed})
    return changed
