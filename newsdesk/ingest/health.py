"""Source health: what a failed fetch means, and the measures editors read.

What a failed fetch means for a source: try again later, or stop fetching it.

Operators expect a dead feed to stop being fetched on its own, and a flaky
one to be left alone (Miniflux does the same):

- HTTP 410 Gone: the publisher says the feed is gone for good; stop now.
- A permanent failure (any other 4xx but 408/425/429, not a feed, refused by
  robots.txt or by the address policy, a redirect loop, too large): count the
  days since the first one in a row, and stop once they reach
  NEWSDESK_SOURCE_GIVE_UP_DAYS.
- A temporary failure (network, timeout, 5xx, 429): back off and retry; it
  neither starts nor ends a run of permanent failures.

Stopping ends the fetching only: the articles already gathered stay on the
site (hiding them is an editor's choice, the admin's "Deactivate").

The measures on the source health page: the feed's response time, averaged so
recent fetches weigh more (``average_response``), and how many entries a day
the feed publishes, read from its entries' dates (``publishing_rate``).

Pure: the pipeline stores the verdict and the measures on the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsdesk.ingest.errors import (
    BlockedError,
    FetchError,
    HTTPStatusError,
    IngestError,
    ParseError,
    TooLargeError,
    TooManyRedirectsError,
)

GONE = 410
# Client errors that say "not now" rather than "never" (RFC 9110 §15.5.9, RFC 8470, RFC 6585).
RETRYABLE_CLIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Verdict:
    """What to store on a source after a failed fetch."""

    failing_since: datetime | None
    stop: bool = False
    reason: str = ""


def is_permanent(error: IngestError) -> bool:
    """Tell whether ``error`` will happen again on retry unless someone changes something.

    Anything not known to be permanent (network trouble, timeouts, 5xx, an
    internal error) counts as temporary.
    """
    if isinstance(error, HTTPStatusError):
        return 400 <= error.status < 500 and error.status not in RETRYABLE_CLIENT_STATUSES
    if isinstance(error, ParseError | BlockedError | TooManyRedirectsError | TooLargeError):
        return True
    # A plain FetchError is a URL that is not http(s) or cannot be parsed.
    return type(error) is FetchError


def judge_failure(
    error: IngestError,
    *,
    failing_since: datetime | None,
    now: datetime,
    give_up_after: timedelta | None,
) -> Verdict:
    """Decide whether a source that just failed with ``error`` is fetched again."""
    if isinstance(error, HTTPStatusError) and error.status == GONE:
        return Verdict(
            failing_since or now,
            stop=True,
            reason=f"The feed answered HTTP 410 Gone on {now:%Y-%m-%d}: "
            "the publisher removed it for good.",
        )
    if not is_permanent(error):
        return Verdict(failing_since)
    since = failing_since or now
    if give_up_after is not None and now - since >= give_up_after:
        days = (now - since).days
        return Verdict(
            since,
            stop=True,
            reason=f"Failed on every fetch for {days} days since {since:%Y-%m-%d}: {error}",
        )
    return Verdict(since)


# Each new response time counts for 30%: a host that turns slow shows within a
# few fetches, one slow answer does not.
RESPONSE_WEIGHT = 0.3
# Entries dated within this window count for the publishing rate.
RATE_WINDOW = timedelta(days=30)
# The shortest span a rate is taken over, so a feed of entries a minute old
# does not read as thousands a day.
MIN_RATE_SPAN = timedelta(hours=1)


def average_response(previous_ms: float | None, seconds: float) -> float:
    """Fold one response time (seconds) into the running average (milliseconds)."""
    sample = seconds * 1000
    if previous_ms is None:
        return sample
    return previous_ms + RESPONSE_WEIGHT * (sample - previous_ms)


def publishing_rate(dates: Iterable[datetime | None], now: datetime) -> float | None:
    """Estimate the entries a day a feed publishes from its entries' dates.

    Entries of the last 30 days, over the time from the oldest of them to now;
    when the feed also holds older entries it covers the whole window, so the
    rate is over 30 days. A feed whose entries are all older publishes 0 a
    day; a feed that dates none gives no estimate (None).
    """
    known = [min(moment, now) for moment in dates if moment is not None]
    if not known:
        return None
    recent = [moment for moment in known if now - moment <= RATE_WINDOW]
    if not recent:
        return 0.0
    span = RATE_WINDOW if len(recent) < len(known) else now - min(recent)
    days = max(span, MIN_RATE_SPAN) / timedelta(days=1)
    return len(recent) / days
