"""Read JSON Feed 1.0 and 1.1 documents (https://www.jsonfeed.org/version/1.1/)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from newsdesk.core.languages import normalize_language
from newsdesk.core.text import one_line, plain_text
from newsdesk.core.urls import absolute_http_url
from newsdesk.ingest.dates import is_day_only
from newsdesk.ingest.errors import ParseError
from newsdesk.ingest.parsers.common import (
    describe_skipped,
    pick_guid,
    text_to_html,
    unique,
)
from newsdesk.ingest.types import ParsedEntry, ParsedFeed

logger = logging.getLogger(__name__)

# Some publishers write the version as "http://…" or as a bare number.
_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def parse_json_feed(content: bytes, *, url: str) -> ParsedFeed:
    """Parse a JSON Feed document into a ParsedFeed."""
    try:
        # JSON is UTF-8 (RFC 8259 §8.1); json.loads also detects a BOM and UTF-16/32.
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise ParseError(f"not a feed: invalid JSON ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise ParseError("not a feed: JSON document has no JSON Feed 'items' list")

    base = absolute_http_url(_string(document.get("feed_url")), url) or url
    feed_language = normalize_language(_string(document.get("language")))
    # Items without authors are written by the feed's authors (JSON Feed 1.1 "authors").
    feed_author = _authors(document)
    entries: list[ParsedEntry] = []
    skipped: list[str] = []
    for position, item in enumerate(document["items"]):
        try:
            entries.append(convert_item(item, base, feed_language, feed_author))
        except Exception as error:  # one odd item must not lose the rest
            logger.warning(
                "feed entry skipped",
                extra={"feed_url": url, "position": position, "error": repr(error)},
            )
            skipped.append(f"item {position + 1}: {error!r}")
    return ParsedFeed(
        format=_format(document.get("version")),
        # JSON Feed titles are plain text; only content_html carries markup.
        title=one_line(_string(document.get("title"))),
        site_url=absolute_http_url(_string(document.get("home_page_url")), url),
        language=feed_language,
        entries=entries,
        warning=describe_skipped(skipped, len(document["items"])),
    )


def convert_item(item: Any, base: str, feed_language: str, feed_author: str = "") -> ParsedEntry:
    """Convert one JSON Feed item into a ParsedEntry."""
    if not isinstance(item, dict):
        raise TypeError(f"item is a {type(item).__name__}, not an object")
    link = absolute_http_url(_string(item.get("url")) or _string(item.get("external_url")), base)
    title = one_line(_string(item.get("title")))
    published = parse_rfc3339(item.get("date_published"))
    updated = parse_rfc3339(item.get("date_modified"))
    stated = _string(item.get("date_published") if published else item.get("date_modified"))
    raw_id = item.get("id")
    return ParsedEntry(
        guid=pick_guid(str(raw_id) if raw_id is not None else "", link, title, published),
        url=link,
        title=title,
        summary_html=text_to_html(_string(item.get("summary"))),
        content_html=_string(item.get("content_html"))
        or text_to_html(_string(item.get("content_text"))),
        author=_authors(item) or feed_author,
        published=published or updated,
        updated=updated,
        image_url=_image_url(item, base),
        language=normalize_language(_string(item.get("language"))) or feed_language,
        tags=unique([plain_text(tag) for tag in item.get("tags") or [] if isinstance(tag, str)]),
        published_day_only=(published or updated) is not None and is_day_only(stated),
    )


def parse_rfc3339(value: Any) -> datetime | None:
    """Parse an RFC 3339 date-time; naive values are taken as UTC, bad ones give None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _format(version: Any) -> str:
    """Name the format from the version URL: "json10", "json11" ("json1" if unknown)."""
    number = version if isinstance(version, str) else ""
    for prefix in _VERSION_PREFIXES:
        number = number.removeprefix(prefix)
    number = number.strip("/ ")
    if number in ("1", "1.0"):
        return "json10"
    if number == "1.1":
        return "json11"
    return "json1"


def _authors(holder: dict[str, Any]) -> str:
    """Join author names: 1.1's "authors" list, else 1.0's "author" object."""
    people = holder.get("authors")
    if not isinstance(people, list):
        people = [holder.get("author")]
    names = [
        plain_text(_string(person.get("name"))) for person in people if isinstance(person, dict)
    ]
    return ", ".join(unique(names))


def _image_url(item: dict[str, Any], base: str) -> str:
    """Find the item's picture: image, banner_image, else an image attachment."""
    candidates = [_string(item.get("image")), _string(item.get("banner_image"))]
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and _string(attachment.get("mime_type")).startswith(
            "image/"
        ):
            candidates.append(_string(attachment.get("url")))
    for candidate in candidates:
        if resolved := absolute_http_url(candidate, base):
            return resolved
    return ""


def _string(value: Any) -> str:
    """Return value if it is a string, else "" (JSON Feed fields are loosely typed in the wild)."""
    return value if isinstance(value, str) else ""
