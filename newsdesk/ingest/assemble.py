"""Turn a parsed entry (and its extracted page, if fetched) into a clean article."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.utils.text import slugify

from newsdesk.core.text import (
    body_hash,
    clean_text,
    html_to_text,
    one_line,
    readable_case,
    summary_text,
)
from newsdesk.core.urls import absolute_http_url, absolutize, canonicalize, is_http_url
from newsdesk.ingest.clutter import drop_repeated_headline_text, remove_clutter
from newsdesk.ingest.dates import choose_dates
from newsdesk.ingest.extract import needs_full_text
from newsdesk.ingest.language import detect_language
from newsdesk.ingest.sanitize import sanitize_html
from newsdesk.ingest.types import ExtractedPage, ParsedEntry, PreparedArticle

SUMMARY_LIMIT = 300
SLUG_LIMIT = 80


@dataclass(frozen=True)
class EntryContext:
    """What ``assemble_article`` needs beside the page; sent with the page to its worker."""

    entry: ParsedEntry
    feed_url: str
    source_language: str
    feed_language: str
    first_seen: datetime

    def assemble(self, page: ExtractedPage | None) -> PreparedArticle:
        return assemble_article(
            self.entry,
            page=page,
            feed_url=self.feed_url,
            source_language=self.source_language,
            feed_language=self.feed_language,
            first_seen=self.first_seen,
        )


def entry_fingerprint(entry: ParsedEntry) -> str:
    """Hash what the source sent, so an unchanged entry is not processed again."""
    parts = [
        entry.title,
        entry.url,
        entry.summary_html,
        entry.content_html,
        entry.author,
        entry.image_url,
        entry.updated.isoformat() if entry.updated else "",
    ]
    # surrogatepass: a JSON Feed can carry lone surrogates ("\\ud83d"), which UTF-8 cannot.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def entry_url(entry: ParsedEntry, feed_url: str) -> str:
    """The entry's link, absolute, canonical and clean: the form articles are stored with."""
    return clean_text(canonicalize(absolutize(entry.url, feed_url))) if entry.url else ""


def wants_page(entry: ParsedEntry) -> bool:
    """Fetch the article page only when the feed gives a summary and a link to follow."""
    return is_http_url(entry.url) and needs_full_text(entry.summary_html, entry.content_html)


def assemble_article(
    entry: ParsedEntry,
    *,
    page: ExtractedPage | None,
    feed_url: str,
    source_language: str,
    feed_language: str,
    first_seen: datetime,
) -> PreparedArticle:
    """Combine feed entry and extracted page, sanitize, and settle dates and language."""
    base = entry.url or feed_url
    # Titles arrive as plain text (parsers and extract reduce HTML titles to
    # text): escaping again here would eat "<script>" in "How to escape <script>".
    title = one_line(entry.title) or (one_line(page.title) if page else "") or "Untitled"
    # A headline in capitals shouts on every list it appears in; keep its acronyms.
    title = readable_case(title)
    body_html, body_text = _body(entry, page, base, title)
    claimed = entry.published or (page.published if page else None)
    day_only = (
        entry.published_day_only if entry.published else bool(page and page.published_day_only)
    )
    dates = choose_dates(claimed, entry.updated, first_seen, day_only=day_only)
    # An operator's choice on the source beats any declaration; the article page
    # itself knows its language better than a channel-wide feed default.
    page_language = page.language if page and page.text else ""
    declared = source_language or page_language or entry.language or feed_language
    language = detect_language(body_text or title, declared)
    image = entry.image_url or (page.image_url if page else "")
    url = entry_url(entry, feed_url)
    return PreparedArticle(
        guid=clean_text(entry.guid),
        url=url,
        slug=slugify(title, allow_unicode=True)[:SLUG_LIMIT].strip("-") or "article",
        title=title,
        summary=_summary(entry, page, base, title, body_html),
        body_html=body_html,
        body_text=body_text,
        author=one_line(entry.author or (page.author if page else "")),
        image_url=clean_text(absolute_http_url(image, base)) if image else "",
        published=dates.published,
        updated=dates.updated,
        first_seen=dates.first_seen,
        language=language,
        entry_fingerprint=entry_fingerprint(entry),
        canonical_url=page_canonical_url(page) or url,
        body_hash=body_hash(body_text),
        published_day_only=dates.published_day_only,
    )


def _body(entry: ParsedEntry, page: ExtractedPage | None, base: str, title: str) -> tuple[str, str]:
    """Return the body as safe HTML without clutter, and as plain text."""
    raw_body = page.html if page and page.text else (entry.content_html or entry.summary_html)
    body_html = clean_text(remove_clutter(sanitize_html(raw_body, base_url=base), title))
    if page and page.text:
        return body_html, clean_text(drop_repeated_headline_text(page.text, title))
    return body_html, html_to_text(body_html)


def _summary(
    entry: ParsedEntry, page: ExtractedPage | None, base: str, title: str, body_html: str
) -> str:
    """Return the summary text: the feed's, the page's description, or the body's start."""
    if entry.summary_html:
        # Feed summaries carry the same pixels and footers as their bodies.
        source = remove_clutter(sanitize_html(entry.summary_html, base_url=base), title)
    else:
        source = (page.description if page else "") or body_html
    return summary_text(source, SUMMARY_LIMIT)


def page_canonical_url(page: ExtractedPage | None) -> str:
    """The address the page itself names as canonical (rel=canonical, og:url), cleaned."""
    if page is None or not is_http_url(page.canonical_url):
        return ""
    return canonicalize(page.canonical_url)
