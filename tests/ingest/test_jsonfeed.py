"""parse_feed over real JSON Feed 1.0 and 1.1 documents (tests/data/feeds, see ORIGIN.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.ingest.errors import ParseError
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.parsers.jsonfeed import parse_rfc3339

FEEDS = Path(__file__).parent.parent / "data" / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


# (path, format, feed title, site_url, entries, first title, first url, first published)
CASES = [
    (
        "jsonfeed-spec/v1_1_example1.json",
        "json11",
        "My Example Feed",
        "https://example.org/",
        2,
        "",  # spec example items have no title
        "https://example.org/second-item",
        None,
    ),
    (
        "jsonfeed-spec/v1_0_example2.json",
        "json10",
        "The Record",
        "http://therecord.co/",
        1,
        "Special #1 - Chris Parrish",
        "http://therecord.co/chris-parrish",
        "2014-05-09T21:04:00+00:00",  # 2014-05-09T14:04:00-07:00
    ),
    (
        "jsonfeed-spec/v1_1_example3.json",
        "json11",
        "Brent Simmons\u2019s Microblog",
        "https://example.org/",
        1,
        "",
        "https://example.org/2347259",
        "2016-02-09T21:22:00+00:00",  # 2016-02-09T14:22:00-07:00
    ),
    (
        "fastfeedparser/json_feed_sample.json",
        "json11",
        "Example JSON Feed",
        "https://example.org/",
        2,
        "First JSON Feed Item",
        "https://example.org/item1",
        "2024-01-15T12:00:00+00:00",
    ),
    (
        "feedjira/json_feed.json",
        "json10",
        "inessential.com",
        "http://inessential.com/",
        20,
        "James Dempsey and the Breakpoints Benefit App Camp for Girls",
        "http://inessential.com/2017/06/02/james_dempsey_and_the_breakpoints_benefi",
        "2017-06-03T05:05:47+00:00",  # 2017-06-02T22:05:47-07:00
    ),
    (
        # gofeed's case writes the version as a bare "1.0".
        "gofeed/parser/json/version_json_10.json",
        "json10",
        "title",
        "https://sample-json-feed.com",
        1,
        "title",
        "https://sample-json-feed.com/id",
        "2019-10-12T07:20:50.520000+00:00",
    ),
]


@pytest.mark.parametrize(
    ("path", "fmt", "title", "site_url", "count", "first_title", "first_url", "published"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_real_json_feed(
    path: str,
    fmt: str,
    title: str,
    site_url: str,
    count: int,
    first_title: str,
    first_url: str,
    published: str | None,
) -> None:
    """Each JSON Feed gives its version, title, home page, item count and first item."""
    feed = parse_feed(read(path), url="https://example.net/feed.json")

    assert (feed.format, feed.title, feed.site_url) == (fmt, title, site_url)
    assert len(feed.entries) == count
    assert feed.warning == ""
    first = feed.entries[0]
    assert (first.title, first.url) == (first_title, first_url)
    assert (first.published.isoformat() if first.published else None) == published


@pytest.mark.parametrize(
    "content_type", ["application/feed+json", "application/json; charset=utf-8", "text/plain", ""]
)
def test_json_feed_is_detected_by_body_or_type(content_type: str) -> None:
    """A body starting with "{" is read as JSON Feed whatever the Content-Type says."""
    feed = parse_feed(
        read("jsonfeed-spec/v1_1_example1.json"),
        url="https://example.org/feed.json",
        content_type=content_type,
    )
    assert feed.format == "json11"


def test_content_text_becomes_escaped_paragraphs() -> None:
    """content_text is escaped and split into <p> paragraphs at blank lines."""
    feed = parse_feed(read("jsonfeed-spec/v1_1_example3.json"), url="https://example.org/feed.json")
    # "Cats are neat. \n\nhttps://example.org/cats"
    assert feed.entries[0].content_html == (
        "<p>Cats are neat.</p>\n<p>https://example.org/cats</p>"
    )


def test_content_text_with_markup_is_not_html() -> None:
    """Markup-like characters in content_text and summary are escaped, never rendered."""
    document = json.loads(read("jsonfeed-spec/v1_1_example1.json"))
    document["items"][0]["content_text"] = 'Use <script> & "quotes"\nnext line'
    document["items"][0]["summary"] = "<b>not bold</b>"
    entry = parse_feed(json.dumps(document).encode(), url="https://example.org/feed.json").entries[
        0
    ]
    assert entry.content_html == "<p>Use &lt;script&gt; &amp; &quot;quotes&quot;<br>next line</p>"
    assert entry.summary_html == "<p>&lt;b&gt;not bold&lt;/b&gt;</p>"


def test_content_html_is_kept_raw() -> None:
    """content_html is passed on as the feed wrote it (sanitized later)."""
    feed = parse_feed(read("jsonfeed-spec/v1_1_example1.json"), url="https://example.org/feed.json")
    assert feed.entries[1].content_html == "<p>Hello, world!</p>"
    assert feed.entries[1].guid == "1"


def test_item_fields() -> None:
    """Authors, image, tags, language, summary and both dates come from the item."""
    feed = parse_feed(read("fastfeedparser/json_feed_sample.json"), url="https://example.org/")
    first, second = feed.entries
    assert first.guid == "https://example.org/item1"
    assert first.author == "Jane Smith"
    assert first.image_url == "https://example.org/item1.jpg"
    assert first.tags == ["test", "json", "feed"]
    assert first.summary_html == "<p>First item summary</p>"
    assert first.updated == datetime(2024, 1, 15, 13, 0, tzinfo=UTC)
    assert first.language == feed.language == "en"  # "en-US"
    # No item authors: the feed's authors wrote it (JSON Feed 1.1).
    assert second.author == "John Doe"
    assert second.content_html == "<p>This is plain text content for the second item.</p>"


def test_deprecated_author_object() -> None:
    """JSON Feed 1.0's single "author" object still names the author."""
    feed = parse_feed(
        read("gofeed/parser/json/version_json_11_deprecated_author.json"),
        url="https://sample-json-feed.com/feed.json",
    )
    entry = feed.entries[0]
    assert entry.author == "author_name"
    assert entry.tags == ["tag1", "tag2"]
    assert entry.image_url == "https://sample-json-feed.com/image.png"
    # content_html wins over content_text when both are present.
    assert entry.content_html == "<p>content_html</p>"


def test_feed_author_fills_items_without_one() -> None:
    """inessential.com's items have no author: the feed's author is used."""
    feed = parse_feed(read("feedjira/json_feed.json"), url="http://inessential.com/feed.json")
    assert {entry.author for entry in feed.entries} == {"Brent Simmons"}


def test_relative_item_url_resolves_against_feed_url() -> None:
    """A relative item url resolves against the document's feed_url."""
    document = json.loads(read("jsonfeed-spec/v1_1_example1.json"))
    document["items"][0]["url"] = "/posts/2"
    entry = parse_feed(json.dumps(document).encode(), url="https://elsewhere.example/x").entries[0]
    assert entry.url == "https://example.org/posts/2"


def test_guid_falls_back_to_url_then_hash() -> None:
    """Items without id use their url; without either, a hash of title and date."""
    document = json.loads(read("jsonfeed-spec/v1_1_example1.json"))
    del document["items"][0]["id"]
    del document["items"][1]["id"], document["items"][1]["url"]
    first, second = parse_feed(json.dumps(document).encode(), url="https://example.org/").entries
    assert first.guid == "https://example.org/second-item"
    assert len(second.guid) == 64 and second.url == ""


def test_one_broken_item_does_not_lose_the_others() -> None:
    """An item that is not an object is skipped and named in warning."""
    document = json.loads(read("jsonfeed-spec/v1_1_example1.json"))
    document["items"].insert(1, "not an item")
    feed = parse_feed(json.dumps(document).encode(), url="https://example.org/feed.json")
    assert [entry.guid for entry in feed.entries] == ["2", "1"]
    assert feed.warning.startswith("skipped 1 of 3 entries: item 2:")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (read("gofeed/parser/json/invalid/invalid.json"), "invalid JSON"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}', "'items' list"),
        (b"[1, 2, 3]", "'items' list"),
    ],
    ids=["invalid", "no-items", "array"],
)
def test_json_that_is_not_a_feed(body: bytes, reason: str) -> None:
    """Invalid JSON, or JSON without an items list, raises ParseError."""
    with pytest.raises(ParseError, match=reason):
        parse_feed(body, url="https://example.org/feed.json", content_type="application/json")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2014-05-09T14:04:00-07:00", datetime(2014, 5, 9, 21, 4, tzinfo=UTC)),
        ("2019-10-12T07:20:50.52Z", datetime(2019, 10, 12, 7, 20, 50, 520000, tzinfo=UTC)),
        ("2031-01-01T00:00:00Z", datetime(2031, 1, 1, tzinfo=UTC)),  # future: as is
        ("2024-01-15T12:00:00", datetime(2024, 1, 15, 12, tzinfo=UTC)),  # naive: UTC
        ("last Tuesday", None),
        ("", None),
        (20240115, None),
    ],
)
def test_parse_rfc3339(value: object, expected: datetime | None) -> None:
    """RFC 3339 dates become aware UTC datetimes; anything else None."""
    assert parse_rfc3339(value) == expected


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_json_feed_with_bom_or_wide_encoding(codec: str) -> None:
    """JSON Feed bodies with a byte order mark or in UTF-16/32 (RFC 8259 §8.1) still read."""
    body = read("jsonfeed-spec/v1_1_example1.json").decode().encode(codec)
    feed = parse_feed(body, url="https://example.org/feed.json")
    assert (feed.title, len(feed.entries)) == ("My Example Feed", 2)
