"""A failed fetch either waits for a retry or, when the feed is gone for good, stops fetching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.ingest.errors import (
    BlockedError,
    FetchError,
    HTTPStatusError,
    IngestError,
    NetworkError,
    ParseError,
    RateLimitedError,
    TooManyRedirectsError,
)
from newsdesk.ingest.health import (
    average_response,
    is_permanent,
    judge_failure,
    publishing_rate,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TWO_WEEKS = timedelta(days=14)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (HTTPStatusError("HTTP 404 Not Found", 404), True),
        (HTTPStatusError("HTTP 403 Forbidden", 403), True),
        (HTTPStatusError("HTTP 401 Unauthorized", 401), True),
        (HTTPStatusError("HTTP 408 Request Timeout", 408), False),
        (RateLimitedError("HTTP 429 Too Many Requests", 429, None), False),
        (RateLimitedError("HTTP 503 Service Unavailable", 503, None), False),
        (HTTPStatusError("HTTP 500 Internal Server Error", 500), False),
        (HTTPStatusError("HTTP 502 Bad Gateway", 502), False),
        (NetworkError("could not connect"), False),
        (ParseError("not a feed: the document is an HTML page"), True),
        (BlockedError("robots.txt disallows /feed"), True),
        (TooManyRedirectsError("more than 5 redirects"), True),
        (FetchError("not an http(s) URL: 'ftp://x'"), True),
        (IngestError("internal error: boom"), False),
    ],
)
def test_permanent_and_temporary_failures(error: IngestError, permanent: bool) -> None:
    """4xx (but 408/425/429), not-a-feed and refusals are permanent; network and 5xx are not."""
    assert is_permanent(error) is permanent


def test_gone_stops_at_once() -> None:
    """HTTP 410 Gone stops the fetching on the first answer, with a reason naming the date."""
    verdict = judge_failure(
        HTTPStatusError("HTTP 410 Gone", 410), failing_since=None, now=NOW, give_up_after=TWO_WEEKS
    )
    assert verdict.stop
    assert "410 Gone on 2026-12-01" in verdict.reason


def test_first_permanent_failure_starts_the_clock() -> None:
    """A first 404 is remembered as the start of a failing run, and fetching goes on."""
    verdict = judge_failure(
        HTTPStatusError("HTTP 404 Not Found", 404),
        failing_since=None,
        now=NOW,
        give_up_after=TWO_WEEKS,
    )
    assert not verdict.stop and verdict.failing_since == NOW


def test_permanent_failures_for_the_whole_period_stop() -> None:
    """A 404 fourteen days after the first one in a row stops the fetching, saying why."""
    since = NOW - TWO_WEEKS
    verdict = judge_failure(
        HTTPStatusError("HTTP 404 Not Found", 404),
        failing_since=since,
        now=NOW,
        give_up_after=TWO_WEEKS,
    )
    assert verdict.stop
    assert verdict.reason == (
        "Failed on every fetch for 14 days since 2026-11-17: HTTP 404 Not Found"
    )


def test_temporary_failures_neither_start_nor_end_a_failing_run() -> None:
    """A 503 leaves the failing-since time as it was and never stops a source."""
    since = NOW - timedelta(days=30)
    for failing_since in (None, since):
        verdict = judge_failure(
            HTTPStatusError("HTTP 502 Bad Gateway", 502),
            failing_since=failing_since,
            now=NOW,
            give_up_after=TWO_WEEKS,
        )
        assert verdict.failing_since == failing_since and not verdict.stop


def test_zero_days_never_gives_up() -> None:
    """With NEWSDESK_SOURCE_GIVE_UP_DAYS=0 a failing source is fetched for ever (410 aside)."""
    verdict = judge_failure(
        ParseError("not a feed"),
        failing_since=NOW - timedelta(days=400),
        now=NOW,
        give_up_after=None,
    )
    assert not verdict.stop


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("ages", "rate"),
    [
        # Ten entries an hour apart: a feed that holds its last ten hours, 24 a day.
        ([HOUR * n for n in range(1, 11)], 24.0),
        # Entries of the last 30 days beside older ones: the feed covers the window.
        ([DAY * n for n in range(1, 60, 2)], 15 / 30),
        # Two entries, the older three days ago.
        ([DAY, 3 * DAY], 2 / 3),
        # Only old entries: the feed has stopped publishing.
        ([400 * DAY, 500 * DAY], 0.0),
        # Entries a minute old count over one hour, not over a minute.
        ([timedelta(minutes=1)] * 3, 3 * 24.0),
        # A date in the future counts as now.
        ([-DAY, HOUR], 2 * 24.0),
    ],
)
def test_publishing_rate_reads_the_feed_dates(ages: list[timedelta], rate: float) -> None:
    """Entries a day are those of the last 30 days over the time they span up to now."""
    assert publishing_rate([NOW - age for age in ages], NOW) == pytest.approx(rate)


def test_publishing_rate_needs_dates() -> None:
    """A feed that dates no entry gives no estimate rather than zero."""
    assert publishing_rate([None, None], NOW) is None
    assert publishing_rate([], NOW) is None


def test_average_response_weighs_recent_fetches_more() -> None:
    """The first time is the average; later ones move it by 30 % of the difference."""
    first = average_response(None, 0.2)
    assert first == pytest.approx(200.0)
    assert average_response(first, 1.2) == pytest.approx(200 + 0.3 * 1000)
