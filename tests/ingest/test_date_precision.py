"""Day-only dates: a source that states a day but no time of day is never given one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.ingest.assemble import assemble_article
from newsdesk.ingest.dates import choose_dates, day_of, is_day_only
from newsdesk.ingest.parsers import parse_feed
from newsdesk.ingest.types import ExtractedPage, ParsedEntry, PreparedArticle

SEEN = datetime(2024, 6, 22, 16, 49, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stated", "day_only"),
    [
        ("2024-03-05", True),
        ("Tue, 05 Mar 2024", True),
        ("2024-03-05T00:00:00+01:00", True),
        ("Tue, 05 Mar 2024 00:00:00 GMT", True),
        ("2024-03-05T00:00:00.000Z", True),
        ("2024-03-05T10:00:00+00:00", False),  # the offset's "00:00" is not the time
        ("Tue, 05 Mar 2024 14:05:00 +0100", False),
        ("2024-03-05T00:00:30Z", False),
        ("2024-03-05T00:15Z", False),
        ("", False),
        (None, False),
    ],
)
def test_day_only_dates_are_recognised(stated: str | None, day_only: bool) -> None:
    """No time of day, or midnight to the second, is a day; any other time is a moment."""
    assert is_day_only(stated) is day_only


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2024, 3, 5, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 3, 5)),
        (datetime(2024, 3, 5, tzinfo=timezone(timedelta(hours=-5))), datetime(2024, 3, 5)),
        (datetime(2024, 3, 5, tzinfo=UTC), datetime(2024, 3, 5)),
    ],
)
def test_a_day_is_kept_as_the_publishers_calendar_day(moment: datetime, day: datetime) -> None:
    """Midnight in the publisher's zone is stored as midnight UTC of that same day."""
    assert day_of(moment) == day.replace(tzinfo=UTC)


def test_choose_dates_keeps_day_only_and_drops_it_on_fallback() -> None:
    """A plausible day-only date stays day-only; a fallback to first-seen is a real moment."""
    stated = datetime(2024, 6, 20, tzinfo=timezone(timedelta(hours=2)))
    dates = choose_dates(stated, None, SEEN, day_only=True)
    assert dates.published == datetime(2024, 6, 20, tzinfo=UTC)
    assert dates.published_day_only
    future = choose_dates(SEEN + timedelta(days=5), None, SEEN, day_only=True)
    assert future.published == SEEN and not future.published_day_only
    precise = choose_dates(datetime(2024, 6, 20, 9, 30, tzinfo=UTC), None, SEEN)
    assert not precise.published_day_only


RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Day feed</title><link>https://example.org/</link>
<item><title>Dated by day</title><link>https://example.org/a</link>
<pubDate>Wed, 05 Jun 2024 00:00:00 +0200</pubDate></item>
<item><title>Dated to the minute</title><link>https://example.org/b</link>
<pubDate>Wed, 05 Jun 2024 14:05:00 +0200</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom days</title><id>urn:x</id>
<updated>2024-06-05</updated>
<entry><title>Only updated, by day</title><id>urn:x:1</id><link href="https://example.org/c"/>
<updated>2024-06-05</updated></entry>
</feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
"items": [{"id": "1", "url": "https://example.org/d", "title": "Day",
"date_published": "2024-06-05T00:00:00Z"},
{"id": "2", "url": "https://example.org/e", "title": "Moment",
"date_published": "2024-06-05T08:30:00Z"}]}"""


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (RSS, "application/rss+xml", [True, False]),
        (ATOM, "application/atom+xml", [True]),
        (JSON_FEED, "application/feed+json", [True, False]),
    ],
    ids=["rss", "atom-updated-only", "json-feed"],
)
def test_parsers_flag_entries_dated_by_day(
    content: bytes, content_type: str, expected: list[bool]
) -> None:
    """Every parser says which entries carry a day rather than a moment."""
    feed = parse_feed(content, url="https://example.org/feed", content_type=content_type)
    assert [entry.published_day_only for entry in feed.entries] == expected


def assemble_with(entry: ParsedEntry, page: ExtractedPage | None = None) -> PreparedArticle:
    return assemble_article(
        entry,
        page=page,
        feed_url="https://example.org/feed",
        source_language="",
        feed_language="en",
        first_seen=SEEN,
    )


def test_assembled_article_keeps_the_feeds_or_the_pages_precision() -> None:
    """The feed's date wins with its precision; without one, the page's date and precision."""
    day = datetime(2024, 6, 20, tzinfo=UTC)
    from_feed = ParsedEntry(
        guid="1", url="", title="T", summary_html="<p>x</p>", published=day,
        published_day_only=True,
    )  # fmt: skip
    assert assemble_with(from_feed).published_day_only
    page = ExtractedPage(html="<p>x</p>", text="x", published=day, published_day_only=True)
    undated = ParsedEntry(guid="2", url="", title="T", summary_html="<p>x</p>")
    prepared = assemble_with(undated, page)
    assert prepared.published == day and prepared.published_day_only
    timed = dataclasses.replace(from_feed, published=day.replace(hour=9), published_day_only=False)
    assert not assemble_with(timed, page).published_day_only


def test_assembled_title_in_capitals_reads_in_title_case() -> None:
    """A shouted feed title is stored readable, its acronyms kept."""
    entry = ParsedEntry(guid="3", url="", title="NASA PROBE REACHES JUPITER", summary_html="x")
    assert assemble_with(entry).title == "NASA Probe Reaches Jupiter"
