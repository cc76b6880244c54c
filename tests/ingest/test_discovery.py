"""Feed autodiscovery in real pages, and telling feeds from pages (tests/data/feeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.ingest.discovery import (
    COMMON_FEED_PATHS,
    FeedCandidate,
    advertised_feeds,
    discover_feeds,
    guessed_feeds,
    looks_like_feed,
)

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


# Links read from each page's <head>.
PAGES = [
    (
        "pages/goose3/content__techcrunch1.html",
        "http://techcrunch.com/2011/08/13/2005-zuckerberg-didnt-want-to-take-over-the-world/",
        [
            "http://feedproxy.google.com/TechCrunch",
            "http://techcrunch.com/feed/",
            "http://techcrunch.com/comments/feed/",
            "http://techcrunch.com/2011/08/13/2005-zuckerberg-didnt-want-to-take-over-the-world/feed/",
            # application/json+oembed is not a feed and is left out.
        ],
    ),
    (
        # Ten multi-line <link>s with relative hrefs, resolved against the page URL.
        "pages/goose3/tags__tags_wnyc.html",
        "https://www.wnyc.org/story/some-story/",
        [
            f"https://www.wnyc.org/{kind}/{path}"
            for path in (
                "shows/heresthething",
                "tags/alec_baldwin",
                "tags/other_desert_cities",
                "tags/stacy_keach",
                "all/",
            )
            for kind in ("feeds", "atomfeeds")  # each RSS link is followed by its Atom twin
        ],
    ),
    (
        "pages/postlight/arstechnica.com.html",
        "https://arstechnica.com/some/article/",
        ["http://feeds.arstechnica.com/arstechnica/index/"],
    ),
    ("node-feedparser/notafeed.html", "https://example.com/", []),
]


@pytest.mark.parametrize(("path", "page_url", "feeds"), PAGES, ids=[p[0] for p in PAGES])
def test_discover_feeds_in_real_pages(path: str, page_url: str, feeds: list[str]) -> None:
    """A page's advertised feeds come back absolute and in document order."""
    assert discover_feeds(read(path), base_url=page_url) == feeds


def test_types_rel_tokens_base_and_duplicates() -> None:
    """Every feed type counts, rel is a token list, <base> applies, repeats are dropped."""
    html = b"""<!doctype html><html><head>
      <base href="https://cdn.example.org/blog/">
      <link rel="stylesheet" type="text/css" href="style.css">
      <link rel="Alternate" type="application/atom+xml" href="atom.xml">
      <link rel="alternate nofollow" type="application/rss+xml; charset=utf-8" href="rss.xml">
      <link rel="alternate" type="application/feed+json" href="feed.json">
      <link rel="alternate" type="application/json" href="/api/feed.json">
      <link rel="alternate" type="application/rss+xml" href="rss.xml">
      <link rel="alternate" type="application/rdf+xml" href="/index.rdf">
      <link rel="alternate" type="text/html" hreflang="de" href="/de/">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml">
      <link rel="feed" type="application/rss+xml" href="not-alternate.xml">
    </head><body></body></html>"""
    assert discover_feeds(html, base_url="https://example.org/post/1") == [
        "https://cdn.example.org/blog/atom.xml",
        "https://cdn.example.org/blog/rss.xml",
        "https://cdn.example.org/blog/feed.json",
        "https://cdn.example.org/api/feed.json",
        "https://cdn.example.org/index.rdf",
    ]


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x00"], ids=["empty", "blank", "nul"])
def test_discover_feeds_in_nothing(body: bytes) -> None:
    """An empty or unparseable body has no feeds."""
    assert discover_feeds(body, base_url="https://example.org/") == []


FEEDS_AND_PAGES = [
    ("fastfeedparser/wild/feeds.bbci.co.uk_news_world_rss.xml.xml", "text/xml", True),
    ("rss-parser/heise.atom", "application/atom+xml", True),
    ("rss-parser/craigslist.rss", "application/rdf+xml", True),
    ("miniflux/parser/rdf_UTF8.xml", "", True),
    ("node-feedparser/tpm.atom", "text/html", True),  # mislabeled server: body wins
    ("feedparser/encoding/utf-16le-bom.xml", "", True),
    ("gofeed/parser/universal/rss_feed_bom.xml", "", True),
    ("jsonfeed-spec/v1_1_example1.json", "application/feed+json", True),
    ("feedjira/json_feed.json", "application/json", True),
    ("pages/goose3/content__techcrunch1.html", "text/html; charset=utf-8", False),
    ("pages/postlight/arstechnica.com.html", "application/rss+xml", False),  # lying header
    ("node-feedparser/notafeed.html", "text/html", False),
    ("gofeed/parser/universal/unknown_feed.xml", "text/xml", False),
    ("gofeed/parser/json/invalid/invalid.json", "application/json", False),
    ("gofeed/parser/universal/empty_feed.xml", "application/rss+xml", False),
]


@pytest.mark.parametrize(
    ("path", "content_type", "is_feed"), FEEDS_AND_PAGES, ids=[f[0] for f in FEEDS_AND_PAGES]
)
def test_looks_like_feed(path: str, content_type: str, is_feed: bool) -> None:
    """Feeds are told from pages by their body first, the Content-Type second."""
    assert looks_like_feed(read(path), content_type) is is_feed


def test_unrecognised_body_falls_back_to_content_type() -> None:
    """A body that is not markup or JSON is judged by its media type alone."""
    assert looks_like_feed(b"plain words", "application/rss+xml") is True
    assert looks_like_feed(b"plain words", "text/plain") is False


def test_advertised_feeds_carry_their_declared_type() -> None:
    """Each candidate keeps the media type the page declared, parameters dropped."""
    html = b"""<html><head>
      <link rel="alternate" type="application/rdf+xml" href="/rdf">
      <link rel="alternate" type="Application/JSON; charset=utf-8" href="/json">
    </head></html>"""
    assert advertised_feeds(html, base_url="https://e.example/") == [
        FeedCandidate("https://e.example/rdf", "application/rdf+xml"),
        FeedCandidate("https://e.example/json", "application/json"),
    ]


@pytest.mark.parametrize(
    ("declared", "feed_format", "is_json_feed", "accepted"),
    [
        ("application/rss+xml", "rss20", False, True),
        ("application/atom+xml", "atom10", False, True),
        ("application/rdf+xml", "rss10", False, True),
        ("application/rdf+xml", "rss090", False, True),
        ("application/rdf+xml", "rss20", False, False),  # RDF metadata that happened to parse
        ("application/feed+json", "json11", True, True),
        ("application/json", "json11", True, True),
        ("application/json", "json1", False, False),  # a JSON API, not a JSON Feed
        ("", "atom10", False, True),
    ],
)
def test_candidates_accept_only_what_they_promised(
    declared: str, feed_format: str, is_json_feed: bool, accepted: bool
) -> None:
    """rdf+xml must be RSS 1.0 (or 0.90) and json must be a JSON Feed; other types any feed."""
    candidate = FeedCandidate("https://e.example/f", declared)
    assert candidate.accepts(feed_format, is_json_feed) is accepted


def test_guessed_feeds_at_the_root() -> None:
    """A site's home page gets the common locations at its root, in order."""
    urls = [c.url for c in guessed_feeds("https://blog.example/")]
    assert urls == [f"https://blog.example/{path}" for path in COMMON_FEED_PATHS]
    assert "https://blog.example/feeds/posts/default" in urls


def test_guessed_feeds_beside_a_deeper_page_first() -> None:
    """A page below the root gets the commonest locations beside it, then the root's."""
    urls = [c.url for c in guessed_feeds("https://e.example/blog/post?x=1")]
    assert urls[:4] == [
        "https://e.example/blog/feed",
        "https://e.example/blog/rss",
        "https://e.example/blog/rss.xml",
        "https://e.example/blog/atom.xml",
    ]
    assert urls[4:] == [f"https://e.example/{path}" for path in COMMON_FEED_PATHS]
