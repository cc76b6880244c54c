"""Find feeds advertised by an HTML page, and tell feeds from pages.

A page names its feeds with ``<link rel="alternate" type="application/rss+xml"
href="...">`` (RSS Autodiscovery; HTML Living Standard §4.6.7.1 "alternate").
"""

from __future__ import annotations

import json

import lxml.etree
import lxml.html

from newsdesk.core.urls import absolute_http_url, absolutize
from newsdesk.ingest.parsers.sniff import (
    FEED_TYPES,
    document_kind,
    head_text,
    media_type,
)

# application/rdf+xml is left out: pages use it for metadata (e.g. Creative Commons) too.
DISCOVERABLE_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)


def discover_feeds(html: bytes, *, base_url: str) -> list[str]:
    """Return the feed URLs a page advertises: absolute, in document order, without repeats."""
    root = _parse_html(html)
    if root is None:
        return []
    base = _base_href(root, base_url)
    found: dict[str, None] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = media_type(link.get("type") or "")
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in DISCOVERABLE_TYPES or not href:
            continue
        if url := absolute_http_url(href, base):
            found.setdefault(url, None)
    return list(found)


def looks_like_feed(content: bytes, content_type: str) -> bool:
    """Say whether a response is a feed (True) or a page to look for feeds in (False)."""
    kind = document_kind(content, content_type)
    if kind == "feed":
        return True
    if kind == "json":
        return _is_json_feed(content)
    if kind == "unknown":
        # Not markup we recognise: trust the server's word.
        return media_type(content_type) in FEED_TYPES
    return False


def _parse_html(html: bytes) -> lxml.html.HtmlElement | None:
    """Parse a page, or give None when there is nothing to parse."""
    if not head_text(html).strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _base_href(root: lxml.html.HtmlElement, page_url: str) -> str:
    """Return the page's <base href> resolved against its URL, or the URL itself."""
    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return absolutize(href, page_url)
    return page_url


def _is_json_feed(content: bytes) -> bool:
    """Say whether a JSON body is a JSON Feed (an object with a version or an items list)."""
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(document, dict):
        return False
    version = document.get("version")
    is_versioned = isinstance(version, str) and "jsonfeed.org/version/" in version
    return is_versioned or isinstance(document.get("items"), list)
