"""Find the feeds a page offers, and tell feeds from pages.

A page names its feeds with ``<link rel="alternate" type="application/rss+xml"
href="...">`` (RSS Autodiscovery; HTML Living Standard §4.6.7.1 "alternate").
Every feed type counts: RSS, Atom, RSS 1.0 (``application/rdf+xml``), JSON Feed
(``application/feed+json``, and ``application/json``). Two of those types are
also used for things that are not feeds - RDF metadata such as Creative
Commons licences, and JSON APIs such as WordPress's - so a candidate declared
with them is accepted only when its document really is an RSS 1.0 feed or a
JSON Feed (FeedCandidate.accepts). When a page advertises nothing, the
common feed locations of blog engines and static-site generators are tried
(COMMON_FEED_PATHS), beside the page first and then at the site's root.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from newsdesk.core.urls import absolute_http_url, absolutize
from newsdesk.ingest.parsers.sniff import (
    FEED_TYPES,
    document_kind,
    head_text,
    media_type,
)

DISCOVERABLE_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
# feedparser's names for RSS 1.0 and RSS 0.90, the RDF-based formats.
RDF_FORMATS = frozenset({"rss10", "rss090"})
# Where blog engines and site generators put their feeds: WordPress, Ghost and
# most CMSs (/feed, /rss), Jekyll and Eleventy (/feed.xml, /atom.xml), Hugo
# (/index.xml), Hexo and others (/rss.xml, /atom.xml), micro.blog and others
# (/feed.json), Blogger (/feeds/posts/default).
COMMON_FEED_PATHS = (
    "feed",
    "rss",
    "rss.xml",
    "atom.xml",
    "index.xml",
    "feed.xml",
    "feed.json",
    "feeds/posts/default",
)
# Each guess costs a polite request: beside a page below the root, only the
# commonest few are tried before the root's full list.
BESIDE_PAGE = 4


@dataclass(frozen=True)
class FeedCandidate:
    """A URL that may be a feed, and the media type the page declared for it ("" if guessed)."""

    url: str
    declared_type: str = ""

    def accepts(self, feed_format: str, is_json_feed: bool) -> bool:
        """Tell whether the document fetched from here is what the page promised."""
        if self.declared_type == "application/rdf+xml":
            return feed_format in RDF_FORMATS
        if self.declared_type == "application/json":
            return is_json_feed
        return True


def discover_feeds(html: bytes, *, base_url: str) -> list[str]:
    """Return the feed URLs a page advertises: absolute, in document order, without repeats."""
    return [candidate.url for candidate in advertised_feeds(html, base_url=base_url)]


def advertised_feeds(html: bytes, *, base_url: str) -> list[FeedCandidate]:
    """Return the feeds a page's <link rel="alternate"> elements advertise, in document order."""
    root = _parse_html(html)
    if root is None:
        return []
    base = _base_href(root, base_url)
    found: dict[str, FeedCandidate] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = media_type(link.get("type") or "")
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in DISCOVERABLE_TYPES or not href:
            continue
        if url := absolute_http_url(href, base):
            found.setdefault(url, FeedCandidate(url, kind))
    return list(found.values())


def guessed_feeds(page_url: str) -> list[FeedCandidate]:
    """Return the common feed locations for a page: beside it first, then at the site root."""
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    directory = urljoin(page_url, ".")
    beside = COMMON_FEED_PATHS[:BESIDE_PAGE] if directory != root else ()
    urls = [urljoin(directory, path) for path in beside]
    urls += [urljoin(root, path) for path in COMMON_FEED_PATHS]
    return [FeedCandidate(url) for url in dict.fromkeys(urls) if url != page_url]


def feed_candidates(html: bytes, *, page_url: str) -> list[FeedCandidate]:
    """Return what to try for a page: its advertised feeds, or the common locations if none."""
    return advertised_feeds(html, base_url=page_url) or guessed_feeds(page_url)


def looks_like_feed(content: bytes, content_type: str) -> bool:
    """Say whether a response is a feed (True) or a page to look for feeds in (False)."""
    kind = document_kind(content, content_type)
    if kind == "feed":
        return True
    if kind == "json":
        return is_json_feed(content)
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


def is_json_feed(content: bytes) -> bool:
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
