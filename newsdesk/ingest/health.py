"""What a failed fetch means for a source: try again later, or stop fetching it.

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
site (hiding them is an editor's choice, the admin's "Deactivate"). Pure: the
pipeline stores the verdict on the source.
"""

from __future__ import annotations

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
