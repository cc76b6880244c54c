"""Read RSS 0.9x/1.0 (RDF)/2.0 and Atom 0.3/1.0 documents with feedparser."""

from __future__ import annotations

import io
import logging
from typing import Any

import feedparser

from newsdesk.core.languages import normalize_language
from newsdesk.core.text import one_line, plain_text
from newsdesk.core.urls import absolute_http_url
from newsdesk.ingest.dates import is_day_only
from newsdesk.ingest.errors import ParseError
from newsdesk.ingest.parsers.common import (
    describe_skipped,
    pick_guid,
    struct_to_utc,
    text_to_html,
    unique,
)
from newsdesk.ingest.types import ParsedEntry, ParsedFeed

logger = logging.getLogger(__name__)

# Bozo reasons about our own call, not about the document.
_HARMLESS_BOZO = (feedparser.NonXMLContentType,)


def parse_xml_feed(content: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse an RSS, RDF or Atom document into a ParsedFeed."""
    parsed = feedparser.parse(
        # A stream, never the bytes: feedparser treats a bytes/str argument as a
        # possible file name or URL and would read it.
        io.BytesIO(content),
        response_headers=_response_headers(url, content_type),
        # nh3 sanitizes later with our own allow-list; feedparser's would drop
        # markup (iframes for video, data attributes) before we decide.
        sanitize_html=False,
        # Relative links in entry HTML must point at the publisher, not at us.
        resolve_relative_uris=True,
    )
    meta: Any = parsed.get("feed", {})
    raw_entries: list[Any] = list(parsed.get("entries", []))
    title = text_construct(meta.get("title_detail"), meta.get("title"))
    problem = _bozo_reason(parsed)
    if not raw_entries and (not parsed.get("version") or (problem and not title)):
        raise ParseError(f"not a feed: {problem or 'no RSS, RDF or Atom root element'}")

    feed_language = normalize_language(meta.get("language"))
    entries, skipped = _convert_entries(raw_entries, url, feed_language)
    warning = "; ".join(
        part for part in (problem, describe_skipped(skipped, len(raw_entries))) if part
    )
    return ParsedFeed(
        format=parsed.get("version") or "xml",
        title=title,
        site_url=absolute_http_url(meta.get("link"), url),
        language=feed_language,
        entries=entries,
        warning=warning,
    )


def _response_headers(url: str, content_type: str) -> dict[str, str]:
    """Build the headers feedparser reads the base URL and charset from."""
    # Always claim application/xml: RFC 3023 makes text/xml without a charset
    # us-ascii, and a missing or wrong media type sets bozo for no real fault.
    header = "application/xml"
    if parameters := content_type.partition(";")[2].strip():
        header += "; " + parameters  # the charset, written however the server wrote it
    return {"content-type": header, "content-location": url}


def _bozo_reason(parsed: Any) -> str:
    """Say why feedparser flagged the document as ill-formed ("" if it did not)."""
    if not parsed.get("bozo"):
        return ""
    error = parsed.get("bozo_exception")
    if isinstance(error, _HARMLESS_BOZO):
        return ""
    return f"ill-formed feed: {error}" if error else "ill-formed feed"


def _convert_entries(
    raw_entries: list[Any], url: str, feed_language: str
) -> tuple[list[ParsedEntry], list[str]]:
    """Convert every entry, skipping (and naming) those that fail."""
    entries: list[ParsedEntry] = []
    skipped: list[str] = []
    for position, raw in enumerate(raw_entries):
        try:
            entries.append(convert_entry(raw, url, feed_language))
        except Exception as error:  # one odd entry must not lose the rest
            logger.warning(
                "feed entry skipped",
                extra={"feed_url": url, "position": position, "error": repr(error)},
            )
            skipped.append(f"entry {position + 1}: {error!r}")
    return entries, skipped


def convert_entry(raw: Any, url: str, feed_language: str) -> ParsedEntry:
    """Convert one feedparser entry into a ParsedEntry."""
    link = absolute_http_url(raw.get("link"), url)
    title = text_construct(raw.get("title_detail"), raw.get("title"))
    published = struct_to_utc(raw.get("published_parsed"))
    updated = struct_to_utc(raw.get("updated_parsed"))
    # What the feed wrote for the date used, to tell a day from a moment.
    stated = raw.get("published") if published else raw.get("updated")
    # Atom requires <updated> but not <published>: let it date the entry.
    published = published or updated
    return ParsedEntry(
        guid=pick_guid(raw.get("id"), link, title, published),
        url=link,
        title=title,
        summary_html=_html_value(raw.get("summary_detail"), raw.get("summary")),
        content_html=_content_html(raw.get("content") or []),
        author=plain_text(raw.get("author")),
        published=published,
        updated=updated,
        image_url=_image_url(raw, url),
        language=_entry_language(raw) or feed_language,
        tags=unique(
            [plain_text(tag.get("term") or tag.get("label")) for tag in raw.get("tags") or []]
        ),
        published_day_only=published is not None and is_day_only(stated),
    )


def text_construct(detail: Any, value: str | None) -> str:
    """Return a title as plain text, reading markup only when the feed says it is markup.

    Atom's type="text" and RSS titles that feedparser reports as text/plain
    are text already: "How to escape a &lt;script&gt; tag" must keep its
    "<script>" (templates escape it). type="html" or "xhtml", and RSS titles
    carrying real tags, are reduced to their text.
    """
    if not value:
        return ""
    if detail and detail.get("type") == "text/plain":
        return one_line(str(value))
    return plain_text(str(value))


def _html_value(detail: Any, value: str | None) -> str:
    """Return a text construct as HTML, escaping it when the feed says it is plain text."""
    if not value:
        return ""
    if detail and detail.get("type") == "text/plain":
        return text_to_html(value)
    return str(value)


def _content_html(contents: list[Any]) -> str:
    """Pick the richest content body: the first HTML one, else the first of any type."""
    for item in contents:
        if "html" in (item.get("type") or "") and item.get("value"):
            return str(item["value"])
    for item in contents:
        if item.get("value"):
            return _html_value(item, item["value"])
    return ""


def _image_url(raw: Any, base: str) -> str:
    """Find the entry's picture: media:thumbnail, media:content, image enclosures."""
    candidates: list[str | None] = [thumb.get("url") for thumb in raw.get("media_thumbnail") or []]
    for media in raw.get("media_content") or []:
        if media.get("medium") == "image" or (media.get("type") or "").startswith("image/"):
            candidates.append(media.get("url"))
    for link in raw.get("enclosures") or []:
        if (link.get("type") or "").startswith("image/"):
            candidates.append(link.get("href") or link.get("url"))
    candidates.append((raw.get("image") or {}).get("href"))
    for candidate in candidates:
        if resolved := absolute_http_url(candidate, base):
            return resolved
    return ""


def _entry_language(raw: Any) -> str:
    """Read an entry's own language (dc:language or xml:lang on its text)."""
    details = [raw, *(raw.get("content") or [])]
    details += [raw.get("summary_detail") or {}, raw.get("title_detail") or {}]
    for detail in details:
        if language := normalize_language(detail.get("language")):
            return language
    return ""
