"""Titles that are plain text by spec keep their words; HTML titles are reduced to text."""

from __future__ import annotations

import json

import pytest

from newsdesk.ingest.parsers import parse_feed

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="{feed_type}">{feed_title}</title>
<id>urn:f</id><updated>2025-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><updated>2025-01-01T00:00:00Z</updated>
<title type="{type}">{title}</title></entry>
</feed>"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{feed_title}</title><link>https://news.example/</link>
<item><guid>1</guid><title>{title}</title></item></channel></rss>"""


@pytest.mark.parametrize(
    ("kind", "title", "expected"),
    [
        # Atom type="text" (the default): the XML text is the title.
        ("text", "How to escape a &lt;script&gt; tag", "How to escape a <script> tag"),
        ("text", "Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
        ("text", "Use &amp;lt;b&amp;gt; for bold", "Use &lt;b&gt; for bold"),
        # Atom type="html": the text is HTML; its markup goes, its escaped words stay.
        ("html", "How to escape a &amp;lt;script&amp;gt; tag", "How to escape a <script> tag"),
        ("html", "A &lt;em&gt;big&lt;/em&gt; day", "A big day"),
        ("html", "Gone &lt;script&gt;alert(1)&lt;/script&gt;", "Gone"),
        (
            "xhtml",
            '<div xmlns="http://www.w3.org/1999/xhtml">An <b>xhtml</b> title</div>',
            "An xhtml title",
        ),
    ],
)
def test_atom_titles(kind: str, title: str, expected: str) -> None:
    """Atom titles follow their type attribute (RFC 4287 §3.1)."""
    document = ATOM.format(type=kind, title=title, feed_type=kind, feed_title=title)
    feed = parse_feed(document.encode(), url="https://news.example/atom.xml")
    assert feed.entries[0].title == expected
    assert feed.title == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("How to escape a &lt;script&gt; tag", "How to escape a <script> tag"),
        ("<![CDATA[Tom & Jerry <3]]>", "Tom & Jerry <3"),
        ("1 &lt; 2 and 3 &gt; 2", "1 < 2 and 3 > 2"),
        # Titles carrying real tags are reported as HTML by feedparser: reduced to text.
        ("AT&amp;amp;T &lt;b&gt;bold&lt;/b&gt; news", "AT&T bold news"),
    ],
)
def test_rss_titles(title: str, expected: str) -> None:
    """RSS titles keep their words unless they really carry markup."""
    document = RSS.format(title=title, feed_title=title)
    feed = parse_feed(document.encode(), url="https://news.example/rss.xml")
    assert feed.entries[0].title == expected
    assert feed.title == expected


@pytest.mark.parametrize(
    "title", ["How to escape a <script> tag", "Tom & Jerry <3", "&lt;b&gt; is bold"]
)
def test_json_feed_titles_are_text(title: str) -> None:
    """JSON Feed titles are plain text: stored exactly, markup-looking words included."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "items": [{"id": "1", "title": title, "content_text": "x"}],
    }
    feed = parse_feed(json.dumps(document).encode(), url="https://news.example/feed.json")
    assert feed.title == title
    assert feed.entries[0].title == title
