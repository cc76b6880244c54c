"""Typed values passed between the ingest stages.

fetcher -> FetchResult -> parsers -> ParsedFeed[ParsedEntry] -> extract ->
ExtractedPage -> assemble (sanitize) -> PreparedArticle -> pipeline (with schedule.py, the
only stages that touch the ORM). A page's extraction and assembly both run in an
extraction worker (pagepool.py), which sends back the ExtractedPage with its
PreparedArticle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FetchResult:
    """A response from a source, read within the size cap."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    etag: str = ""
    last_modified: str = ""
    # (status, URL) of each redirect followed to get here, in order.
    redirects: tuple[tuple[int, str], ...] = ()
    # Seconds the exchanges took (all hops, body read), waiting for the host's turn excluded.
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def moved_to(self) -> str:
        """Where the requested URL now lives for good: the end of a chain of 301/308 only.

        A temporary redirect (302, 303, 307) anywhere in the chain means the
        original URL is still the one to ask (RFC 9110 §15.4).
        """
        if self.redirects and all(status in (301, 308) for status, _ in self.redirects):
            return self.redirects[-1][1]
        return ""

    @property
    def content_type_header(self) -> str:
        """The whole Content-Type, charset included (parsers need the charset)."""
        return self.headers.get("content-type", "")

    @property
    def content_type(self) -> str:
        """The media type alone, lower-cased."""
        return self.content_type_header.split(";")[0].strip().lower()


@dataclass
class ParsedEntry:
    """One feed entry, before extraction and sanitizing (HTML fields are raw)."""

    guid: str
    url: str
    title: str
    summary_html: str = ""
    content_html: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    image_url: str = ""
    language: str = ""
    tags: list[str] = field(default_factory=list)
    # The feed wrote ``published`` as a day without a time of day (ingest/dates.py).
    published_day_only: bool = False


@dataclass
class ParsedFeed:
    """A parsed feed document: its metadata and entries."""

    format: str
    title: str = ""
    site_url: str = ""
    language: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    warning: str = ""


@dataclass
class ExtractedPage:
    """Main content and metadata taken from an article page (HTML not sanitized)."""

    html: str
    text: str
    title: str = ""
    author: str = ""
    published: datetime | None = None
    image_url: str = ""
    language: str = ""
    canonical_url: str = ""
    description: str = ""
    updated: datetime | None = None
    # For per-source template learning (template.py): the host the page's
    # template belongs to, and the prints of its text blocks.
    template_host: str = ""
    block_prints: tuple[str, ...] = ()
    # The page states its publication day but no time of day.
    published_day_only: bool = False
    # The entry assembled with this page, when the worker was asked to (pagepool.py).
    article: PreparedArticle | None = None


@dataclass(frozen=True)
class PreparedArticle:
    """Everything the store step writes for one entry; all HTML is sanitized."""

    guid: str
    url: str
    slug: str
    title: str
    summary: str
    body_html: str
    body_text: str
    author: str
    image_url: str
    published: datetime
    updated: datetime | None
    first_seen: datetime
    language: str
    entry_fingerprint: str
    canonical_url: str
    body_hash: str
    published_day_only: bool = False
