"""Tracking pixels, feed footers and repeated headlines never reach a stored body."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.ingest.assemble import assemble_article
from newsdesk.ingest.clutter import (
    _FOOTER_PHRASE,
    FOOTERS,
    drop_feed_footers,
    drop_repeated_headline,
    drop_repeated_headline_text,
    drop_tracking_images,
    is_tracker_url,
)
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.sanitize import sanitize_html
from newsdesk.ingest.types import ParsedEntry, PreparedArticle

FEEDS = Path(__file__).parent.parent / "data" / "feeds"
SEEN = datetime(2026, 2, 20, tzinfo=UTC)


def safe(fragment: str) -> str:
    """The canonical form the clutter rules read: nh3's output."""
    return sanitize_html(fragment, base_url="https://news.example/a")


@pytest.mark.parametrize(
    ("url", "tracker"),
    [
        ("http://feeds.feedburner.com/~r/Techcrunch/~4/kTeeGj4FnwU", True),
        ("http://feeds.feedburner.com/~ff/Techcrunch?d=2mJPEYqXBVI", True),
        ("https://feedproxy.google.com/~r/example/~4/abc", True),
        ("http://da.feedsportal.com/r/186529795369/u/49/f/5/c/1/s/1/a2.img", True),
        ("https://pixel.wp.com/b.gif?host=x.example&blog=1&post=2", True),
        ("https://stats.wordpress.com/b.gif?v=1", True),
        ("http://feeds.wordpress.com/1.0/comments/tctechcrunch2011.wordpress.com/446154/", True),
        ("https://medium.com/_/stat?event=post.clientViewed&postId=125af37d838f", True),
        ("http://feedads.g.doubleclick.net/~at/qv0C7/0/di", True),
        ("https://www.google-analytics.com/collect?v=1&tid=UA-1", True),
        ("https://www.facebook.com/tr?id=1&ev=PageView", True),
        ("https://news.example/pixel.gif?id=3", True),
        ("https://mail.example/beacon/open/abc.png", True),
        ("https://news.example/track/pixel/123", True),
        # Real pictures, even from the same services' hosts.
        ("http://tctechcrunch2011.files.wordpress.com/2011/11/angies-list.jpeg?w=100", False),
        ("https://cdn-images-1.medium.com/max/1024/1*abc.jpeg", False),
        ("https://news.example/images/pixel-art-exhibition.jpg", False),
        ("https://news.example/photos/beacon-hill.jpg", False),
        ("not a url", False),
    ],
)
def test_tracker_urls(url: str, tracker: bool) -> None:
    """Known counters and share buttons are recognised by host and path; pictures are not."""
    assert is_tracker_url(url) is tracker


@pytest.mark.parametrize(
    ("fragment", "kept"),
    [
        ('<p>Text<img src="https://x.example/a.gif" width="1" height="1"></p>', "<p>Text</p>"),
        ('<p>Text<img src="https://x.example/a.gif" width="0" height="0"></p>', "<p>Text</p>"),
        ('<p>Text<img src="https://x.example/a.gif" height="0"></p>', "<p>Text</p>"),
        ('<p>Text</p><p><img src="https://pixel.wp.com/b.gif?x=1" alt=""></p>', "<p>Text</p>"),
        (
            '<p>Share: <a href="http://feeds.feedburner.com/~ff/T?a=1">'
            '<img src="http://feeds.feedburner.com/~ff/T?d=2"></a></p>',
            "<p>Share: </p>",
        ),
        (
            '<p><img src="https://x.example/photo.jpg" width="600" height="40"></p>',
            '<p><img src="https://x.example/photo.jpg" width="600" height="40" loading="lazy"></p>',
        ),
        (
            '<p><img src="https://x.example/spacer.gif" width="1" height="300"></p>',
            '<p><img src="https://x.example/spacer.gif" width="1" height="300" loading="lazy"></p>',
        ),
    ],
)
def test_tracking_images_are_dropped(fragment: str, kept: str) -> None:
    """1x1 and 0-sized images and tracker images go, with links and paragraphs left empty."""
    assert drop_tracking_images(safe(fragment)) == kept


@pytest.mark.parametrize(
    ("fragment", "kept"),
    [
        (
            '<p>Body.</p><p>The post <a href="https://b.example/x">X</a> appeared first on '
            '<a href="https://b.example">B</a>.</p>',
            "<p>Body.</p>",
        ),
        ("<p>Body.</p><p>The post Y first appeared on Site.</p>", "<p>Body.</p>"),
        ("<p>Body.</p><p>Der Beitrag Z erschien zuerst auf Seite.</p>", "<p>Body.</p>"),
        ("<p>Body.</p><p>L\u2019article Z est apparu en premier sur Site.</p>", "<p>Body.</p>"),
        ("<p>Body.</p><p>La entrada Z se publicó primero en Sitio.</p>", "<p>Body.</p>"),
        (
            "<p>Body.</p><hr><p><a>T</a> was originally published in <a>Pub</a> on Medium, where"
            " people are continuing the conversation by highlighting and responding to this"
            " story.</p>",
            "<p>Body.</p>",
        ),
        # Not footers: ordinary sentences that merely look alike.
        ("<p>The post office appeared to close.</p>", "<p>The post office appeared to close.</p>"),
        (
            "<p>He wrote: the post X appeared first on Y. " + "More words. " * 40 + "</p>",
            "<p>He wrote: the post X appeared first on Y. " + "More words. " * 40 + "</p>",
        ),
    ],
)
def test_feed_footers_are_dropped(fragment: str, kept: str) -> None:
    """WordPress SEO and Medium footers go; look-alike prose stays."""
    assert drop_feed_footers(safe(fragment)) == safe(kept)


def test_every_footer_pattern_holds_a_phrase_of_the_quick_test() -> None:
    """A footer pattern added without a phrase of the quick test would never be tried."""
    for pattern in FOOTERS:
        assert _FOOTER_PHRASE.search(pattern.pattern), pattern.pattern


def test_footer_with_a_word_split_by_tags_is_dropped() -> None:
    """The quick test reads the body without its tags, as plain_text does."""
    for footer in ("appeared fi<b>rst</b> on", "appeared<br>first&nbsp;on", "appeared\nfirst on"):
        fragment = f"<p>Body.</p><p>The post Y {footer} Site.</p>"
        assert drop_feed_footers(safe(fragment)) == safe("<p>Body.</p>"), footer


@pytest.mark.parametrize(
    ("fragment", "title", "kept"),
    [
        ("<h1>Big News</h1><p>Body.</p>", "Big News", "<p>Body.</p>"),
        ("<h2>Big  news!</h2><p>Body.</p>", "Big News", "<p>Body.</p>"),
        ('<h3><a href="https://n.example/a">Big News</a></h3><p>B.</p>', "Big News", "<p>B.</p>"),
        ("<p><strong>Big News</strong></p><p>Body.</p>", "Big News", "<p>Body.</p>"),
        ("<p>Big News</p><p>Body.</p>", "Big News", "<p>Body.</p>"),
        # Kept: another heading, a longer sentence, or the title further down.
        ("<h2>Background</h2><p>Body.</p>", "Big News", "<h2>Background</h2><p>Body.</p>"),
        ("<p>Big News came today.</p>", "Big News", "<p>Big News came today.</p>"),
        ("<p>Intro.</p><h2>Big News</h2>", "Big News", "<p>Intro.</p><h2>Big News</h2>"),
    ],
)
def test_repeated_headline_is_dropped(fragment: str, title: str, kept: str) -> None:
    """A body opening with its own title (as heading or paragraph) does not show it twice."""
    assert drop_repeated_headline(safe(fragment), title) == safe(kept)


def test_repeated_headline_in_page_text() -> None:
    """Extracted page text that opens with the title loses that first line."""
    assert drop_repeated_headline_text("Big News\n\nBody here.", "Big news") == "Body here."
    assert drop_repeated_headline_text("Big News today\nBody.", "Big News") == (
        "Big News today\nBody."
    )


def assemble(entry: ParsedEntry) -> PreparedArticle:
    return assemble_article(
        entry,
        page=None,
        feed_url="https://feeds.example/",
        source_language="en",
        feed_language="",
        first_seen=SEEN,
    )


def test_feedburner_pixels_and_buttons_from_a_real_feed() -> None:
    """TechCrunch via FeedBurner (2011): pixel, feedflare, ads, share links go; the photo stays."""
    # feedjira saved the first item's content:encoded of TechCrunch's feed on its own.
    content = (FEEDS / "feedjira/TechCrunchFirstEntry.xml").read_text()
    entry = ParsedEntry(
        guid="1",
        url="http://techcrunch.com/2011/11/02/angies-list-ipo/",
        title="Angie's List IPO",
        content_html=content,
    )
    article = assemble(entry)
    body = article.body_html
    for tracker in ("feeds.feedburner.com", "doubleclick.net", "feeds.wordpress.com"):
        assert tracker not in body
    assert "angies-list.jpeg" in body
    assert "List launched in 1995" in article.body_text


def test_medium_pixel_and_footer_from_a_real_feed() -> None:
    """Medium: the read-tracking pixel and the "originally published" footer go from every item."""
    feed = parse_feed(
        (FEEDS / "rss-parser/content-encoded.rss").read_bytes(),
        url="https://medium.com/feed/invironment",
    )
    assert len(feed.entries) == 7
    for entry in feed.entries:
        article = assemble(entry)
        assert "medium.com/_/stat" not in article.body_html
        assert "was originally published in" not in article.body_text
        assert "<hr>" not in article.body_html[-10:]
        assert len(article.body_text) > 200


@pytest.mark.parametrize(
    ("path", "url"),
    [
        (
            "fastfeedparser/wild/www.boston.com_tag_world-news_feed.xml",
            "https://www.boston.com/tag/world-news/feed/",
        ),
        (
            "fastfeedparser/wild/www.bravelysheblogs.com_feed.xml",
            "https://www.bravelysheblogs.com/feed/",
        ),
    ],
)
def test_wordpress_footer_from_real_feeds(path: str, url: str) -> None:
    """WordPress "The post … appeared first on …" leaves neither body nor summary."""
    feed = parse_feed((FEEDS / path).read_bytes(), url=url)
    assert len(feed.entries) >= 10
    for entry in feed.entries:
        assert "appeared first on" in entry.summary_html + entry.content_html
        article = assemble(entry)
        assert "appeared first on" not in article.body_html
        assert "appeared first on" not in article.body_text
        assert "appeared first on" not in article.summary
        assert article.summary
