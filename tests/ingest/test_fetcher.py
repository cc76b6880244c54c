"""The fetcher: conditional GET, status errors, caps, SSRF guard, politeness."""

from __future__ import annotations

import gzip
import itertools
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from newsdesk.demo.server import CorpusServer, RecordedRequest
from newsdesk.ingest.errors import (
    BlockedError,
    FetchError,
    HTTPStatusError,
    NetworkError,
    RateLimitedError,
    TooLargeError,
    TooManyRedirectsError,
)
from newsdesk.ingest.fetcher import (
    FEED_ACCEPT,
    PAGE_ACCEPT,
    Fetcher,
    parse_retry_after,
)
from tests.ingest.fakeweb import FakeWeb, answer, redirect

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
FEED_URL = "http://feeds.example/rss.xml"
ETAG = '"abc123"'
LAST_MODIFIED = "Tue, 03 Jun 2025 10:00:00 GMT"


def feed_web(**headers: str) -> FakeWeb:
    return FakeWeb({"feeds.example/rss.xml": answer(200, headers, FEED)})


# --- Success and conditional GET ---


def test_ok_returns_body_headers_and_validators() -> None:
    """A 200 returns the body, lower-cased headers, ETag and Last-Modified."""
    web = feed_web(
        **{
            "Content-Type": "application/rss+xml; charset=utf-8",
            "ETag": ETAG,
            "Last-Modified": LAST_MODIFIED,
        }
    )
    with web.fetcher() as fetcher:
        result = fetcher.fetch(FEED_URL)
    assert result.status == 200
    assert result.content == FEED
    assert result.url == FEED_URL
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.content_type == "application/rss+xml"
    assert result.headers["etag"] == ETAG
    assert not result.not_modified


def test_ok_without_validators_gives_empty_strings() -> None:
    """A response without ETag or Last-Modified leaves both empty."""
    with feed_web().fetcher() as fetcher:
        result = fetcher.fetch(FEED_URL)
    assert (result.etag, result.last_modified) == ("", "")


@pytest.mark.parametrize(
    ("etag", "last_modified", "expected"),
    [
        (ETAG, "", {"if-none-match": ETAG}),
        ("", LAST_MODIFIED, {"if-modified-since": LAST_MODIFIED}),
        (ETAG, LAST_MODIFIED, {"if-none-match": ETAG, "if-modified-since": LAST_MODIFIED}),
        ("", "", {}),
    ],
)
def test_conditional_headers_are_sent(
    etag: str, last_modified: str, expected: dict[str, str]
) -> None:
    """Stored validators go out as If-None-Match and If-Modified-Since, and only those."""
    web = feed_web()
    with web.fetcher() as fetcher:
        fetcher.fetch(FEED_URL, etag=etag, last_modified=last_modified)
    sent = web.requests[-1].headers
    conditional = {k: v for k, v in sent.items() if k in ("if-none-match", "if-modified-since")}
    assert conditional == expected


def test_not_modified_keeps_the_stored_validators() -> None:
    """A 304 without validators returns the ETag and Last-Modified that were sent."""
    web = FakeWeb({"feeds.example/rss.xml": answer(304)})
    with web.fetcher() as fetcher:
        result = fetcher.fetch(FEED_URL, etag=ETAG, last_modified=LAST_MODIFIED)
    assert result.not_modified
    assert result.content == b""
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)


def test_not_modified_carrying_new_validators_returns_them() -> None:
    """A 304 that carries a new ETag or Last-Modified returns the new ones."""
    new = {"ETag": '"v2"', "Last-Modified": "Wed, 04 Jun 2025 10:00:00 GMT"}
    web = FakeWeb({"feeds.example/rss.xml": answer(304, new)})
    with web.fetcher() as fetcher:
        result = fetcher.fetch(FEED_URL, etag=ETAG, last_modified=LAST_MODIFIED)
    assert (result.etag, result.last_modified) == ('"v2"', "Wed, 04 Jun 2025 10:00:00 GMT")


def test_accept_header_defaults_to_feeds_and_can_be_chosen() -> None:
    """Feeds are asked for by default; callers fetching pages pass their own Accept."""
    web = feed_web()
    with web.fetcher() as fetcher:
        fetcher.fetch(FEED_URL)
        fetcher.fetch(FEED_URL, accept=PAGE_ACCEPT)
    assert [r.headers["accept"] for r in web.requests[-2:]] == [FEED_ACCEPT, PAGE_ACCEPT]


def test_gzip_bodies_are_decoded() -> None:
    """A gzip-encoded body comes back decoded."""
    web = FakeWeb(
        {"feeds.example/rss.xml": answer(200, {"Content-Encoding": "gzip"}, gzip.compress(FEED))}
    )
    with web.fetcher() as fetcher:
        assert fetcher.fetch(FEED_URL).content == FEED


# --- User-Agent ---


def test_user_agent_names_the_site(settings: pytest.FixtureRequest) -> None:
    """The default User-Agent names the site, its URL and the Newsdesk token."""
    settings.NEWSDESK_SITE_NAME = "Daily Planet"  # type: ignore[attr-defined]
    settings.NEWSDESK_SITE_URL = "https://planet.example"  # type: ignore[attr-defined]
    web = feed_web()
    with web.fetcher() as fetcher:
        fetcher.fetch(FEED_URL)
    agents = {r.headers["user-agent"] for r in web.requests}  # robots.txt and the feed
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("Daily Planet/")
    assert "(+https://planet.example)" in agent
    assert agent.endswith(" Newsdesk")


def test_explicit_user_agent_is_used() -> None:
    """A user agent given to the Fetcher replaces the default."""
    web = feed_web()
    with web.fetcher(user_agent="TestBot/1.0") as fetcher:
        fetcher.fetch(FEED_URL)
    assert web.requests[-1].headers["user-agent"] == "TestBot/1.0"


# --- Error statuses ---


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "HTTP 400 Bad Request"),
        (403, "HTTP 403 Forbidden"),
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone"),
        (500, "HTTP 500 Internal Server Error"),
        (502, "HTTP 502 Bad Gateway"),
        (599, "HTTP 599"),
    ],
)
def test_error_statuses_raise_readable_errors(status: int, message: str) -> None:
    """4xx and 5xx answers (other than 429/503) raise HTTPStatusError naming the status."""
    web = FakeWeb({"feeds.example/rss.xml": answer(status, body=b"oops")})
    with web.fetcher() as fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(FEED_URL)
    assert not isinstance(caught.value, RateLimitedError)
    assert str(caught.value) == message
    assert caught.value.status == status


def test_redirect_without_location_is_an_error() -> None:
    """A 3xx that names no target cannot be followed and is reported."""
    web = FakeWeb({"feeds.example/rss.xml": answer(302)})
    with web.fetcher() as fetcher, pytest.raises(HTTPStatusError, match="HTTP 302 Found"):
        fetcher.fetch(FEED_URL)


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limit_with_retry_after_seconds(status: int) -> None:
    """429 and 503 raise RateLimitedError; delta-seconds count from now."""
    web = FakeWeb({"feeds.example/rss.xml": answer(status, {"Retry-After": "120"})})
    before = datetime.now(UTC)
    with web.fetcher() as fetcher, pytest.raises(RateLimitedError) as caught:
        fetcher.fetch(FEED_URL)
    after = datetime.now(UTC)
    error = caught.value
    assert error.status == status
    assert error.retry_at is not None
    assert before + timedelta(seconds=120) <= error.retry_at <= after + timedelta(seconds=120)
    assert str(error).startswith(f"HTTP {status} ")
    assert "retry after" in str(error)


@pytest.mark.parametrize("status", [429, 503])
def test_rate_limit_with_retry_after_date(status: int) -> None:
    """An HTTP-date Retry-After gives that moment, in UTC."""
    headers = {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}
    web = FakeWeb({"feeds.example/rss.xml": answer(status, headers)})
    with web.fetcher() as fetcher, pytest.raises(RateLimitedError) as caught:
        fetcher.fetch(FEED_URL)
    assert caught.value.retry_at == datetime(2099, 10, 21, 7, 28, tzinfo=UTC)


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "soon"}])
def test_rate_limit_without_usable_retry_after(headers: dict[str, str]) -> None:
    """A missing or unreadable Retry-After leaves retry_at None."""
    web = FakeWeb({"feeds.example/rss.xml": answer(429, headers)})
    with web.fetcher() as fetcher, pytest.raises(RateLimitedError) as caught:
        fetcher.fetch(FEED_URL)
    assert caught.value.retry_at is None
    assert str(caught.value) == "HTTP 429 Too Many Requests"


NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", NOW),
        ("3600", NOW + timedelta(hours=1)),
        (" 90 ", NOW + timedelta(seconds=90)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", datetime(2015, 10, 21, 7, 28, tzinfo=UTC)),
        ("Wed, 21 Oct 2015 07:28:00 -0000", datetime(2015, 10, 21, 7, 28, tzinfo=UTC)),
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("tomorrow", None),
        ("Wed, 99 Foo 2015", None),
        ("9" * 40, None),
        ("٣", None),
    ],
)
def test_parse_retry_after(value: str, expected: datetime | None) -> None:
    """Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is None."""
    assert parse_retry_after(value, now=NOW) == expected


# --- Network failures ---


@pytest.mark.parametrize(
    ("exception", "message"),
    [
        (httpx.ReadTimeout, "timed out after 2 s"),
        (httpx.ConnectTimeout, "timed out after 2 s"),
        (httpx.ConnectError, "could not connect to feeds.example"),
        (httpx.RemoteProtocolError, "network error fetching"),
    ],
)
def test_network_failures_raise_network_error(
    exception: type[httpx.TransportError], message: str
) -> None:
    """Timeouts and connection failures raise NetworkError with a readable message."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise exception("boom", request=request)

    web = FakeWeb({"feeds.example/rss.xml": fail})
    with web.fetcher(timeout=2) as fetcher, pytest.raises(NetworkError, match=message):
        fetcher.fetch(FEED_URL)


def test_timeout_setting_reaches_the_request(settings: pytest.FixtureRequest) -> None:
    """NEWSDESK_FETCH_TIMEOUT is read at fetch time and set on each request."""
    settings.NEWSDESK_FETCH_TIMEOUT = 7.5  # type: ignore[attr-defined]
    web = feed_web()
    with web.fetcher() as fetcher:
        fetcher.fetch(FEED_URL)
    timeouts = web.requests[-1].extensions["timeout"]
    assert timeouts == {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://feeds.example/x", "http://", "x"])
def test_non_http_urls_are_refused(url: str) -> None:
    """Only http and https URLs are fetched."""
    web = feed_web()
    with web.fetcher() as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)
    assert web.requests == []


# --- Size cap ---


def test_declared_length_over_the_cap_is_refused_unread() -> None:
    """A Content-Length over the cap raises TooLargeError before reading the body."""

    def body() -> Iterator[bytes]:
        raise AssertionError("the body must not be read")
        yield b""  # pragma: no cover

    headers = {"Content-Length": "1000001"}
    web = FakeWeb({"feeds.example/rss.xml": answer(200, headers, body())})
    with web.fetcher(max_bytes=1_000_000) as fetcher, pytest.raises(TooLargeError):
        fetcher.fetch(FEED_URL)


def test_streamed_body_over_the_cap_stops_reading() -> None:
    """An endless body without Content-Length is cut off at the cap with TooLargeError."""
    sent = []

    def endless() -> Iterator[bytes]:
        while True:
            sent.append(1)
            yield b"x" * 1024

    web = FakeWeb({"feeds.example/rss.xml": answer(200, {}, endless())})
    with web.fetcher(max_bytes=10_000) as fetcher, pytest.raises(TooLargeError, match="10000"):
        fetcher.fetch(FEED_URL)
    assert len(sent) <= 11


def test_decoded_size_counts_against_the_cap() -> None:
    """A small gzip body that inflates past the cap is refused (no zip bombs)."""
    bomb = gzip.compress(b"\0" * 1_000_000)
    assert len(bomb) < 10_000
    web = FakeWeb({"feeds.example/rss.xml": answer(200, {"Content-Encoding": "gzip"}, bomb)})
    with web.fetcher(max_bytes=100_000) as fetcher, pytest.raises(TooLargeError):
        fetcher.fetch(FEED_URL)


def test_body_at_the_cap_is_accepted(settings: pytest.FixtureRequest) -> None:
    """A body exactly as large as NEWSDESK_FETCH_MAX_BYTES is read in full."""
    settings.NEWSDESK_FETCH_MAX_BYTES = len(FEED)  # type: ignore[attr-defined]
    with feed_web().fetcher() as fetcher:
        assert fetcher.fetch(FEED_URL).content == FEED
        settings.NEWSDESK_FETCH_MAX_BYTES = len(FEED) - 1  # type: ignore[attr-defined]
        with pytest.raises(TooLargeError):
            fetcher.fetch(FEED_URL)


# --- Redirects ---


def test_redirects_are_followed_to_the_final_url() -> None:
    """Absolute and relative Location headers are followed; the result has the final URL."""
    web = FakeWeb(
        {
            "feeds.example/old": redirect("/rss.xml", 301),
            "feeds.example/rss.xml": redirect("http://cdn.example/feed.xml", 308),
            "cdn.example/feed.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher() as fetcher:
        result = fetcher.fetch("http://feeds.example/old", etag=ETAG)
    assert result.url == "http://cdn.example/feed.xml"
    assert result.content == FEED
    assert web.requests[-1].headers["if-none-match"] == ETAG


def chain(length: int) -> FakeWeb:
    """A site where /0 redirects to /1 ... up to /<length>, which answers 200."""
    routes = {f"feeds.example/{n}": redirect(f"/{n + 1}") for n in range(length)}
    routes[f"feeds.example/{length}"] = answer(200, {}, FEED)
    return FakeWeb(routes)


def test_redirect_cap_allows_exactly_max_redirects(settings: pytest.FixtureRequest) -> None:
    """NEWSDESK_FETCH_MAX_REDIRECTS redirects are followed."""
    settings.NEWSDESK_FETCH_MAX_REDIRECTS = 3  # type: ignore[attr-defined]
    with chain(3).fetcher() as fetcher:
        assert fetcher.fetch("http://feeds.example/0").url == "http://feeds.example/3"


def test_redirect_cap_raises_past_max_redirects() -> None:
    """One redirect past the cap raises TooManyRedirectsError."""
    web = chain(4)
    with web.fetcher(max_redirects=3) as fetcher, pytest.raises(TooManyRedirectsError):
        fetcher.fetch("http://feeds.example/0")
    assert "feeds.example/4" not in web.paths()


def test_redirect_loop_raises() -> None:
    """A redirect loop ends at the cap."""
    web = FakeWeb({"feeds.example/a": redirect("/b"), "feeds.example/b": redirect("/a")})
    with web.fetcher(max_redirects=5) as fetcher, pytest.raises(TooManyRedirectsError):
        fetcher.fetch("http://feeds.example/a")


# --- Against the loopback corpus server ---


def write_feed(server: CorpusServer, name: str = "feed.xml") -> None:
    (server.root / name).write_bytes(FEED)


def test_server_answers_304_to_the_returned_etag(corpus_server: CorpusServer) -> None:
    """A first fetch gets 200 with an ETag; fetching again with it gets 304."""
    write_feed(corpus_server)
    url = corpus_server.url("feed.xml")
    with Fetcher() as fetcher:
        first = fetcher.fetch(url)
        second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert (first.status, first.content) == (200, FEED)
    assert first.etag and first.last_modified
    assert second.not_modified
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    sent = corpus_server.requests_for("/feed.xml")[-1]
    assert sent.headers["If-None-Match"] == first.etag
    assert sent.status == 304


def test_server_canned_errors(corpus_server: CorpusServer) -> None:
    """Canned 404 and 503 answers from a real server become the matching errors."""
    corpus_server.overrides.responses["/gone.xml"] = (410, {}, b"gone")
    corpus_server.overrides.responses["/busy.xml"] = (503, {"Retry-After": "30"}, b"")
    with Fetcher() as fetcher:
        with pytest.raises(HTTPStatusError, match="HTTP 410 Gone"):
            fetcher.fetch(corpus_server.url("gone.xml"))
        with pytest.raises(RateLimitedError) as caught:
            fetcher.fetch(corpus_server.url("busy.xml"))
    assert caught.value.retry_at is not None


def test_unreachable_server_is_a_network_error(corpus_server: CorpusServer) -> None:
    """A refused connection raises NetworkError."""
    url = corpus_server.url("feed.xml")
    corpus_server.stop()
    with Fetcher(respect_robots=False) as fetcher, pytest.raises(NetworkError):
        fetcher.fetch(url)


def record_times(monkeypatch: pytest.MonkeyPatch, server: CorpusServer) -> list[float]:
    """Note the arrival time of every request the server records."""
    times: list[float] = []
    original = server.record

    def record(request: RecordedRequest) -> None:
        times.append(time.monotonic())
        original(request)

    monkeypatch.setattr(server, "record", record)
    return times


def test_host_delay_spaces_requests(
    corpus_server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests to one host, robots.txt included, are at least host_delay apart."""
    write_feed(corpus_server, "a.xml")
    write_feed(corpus_server, "b.xml")
    times = record_times(monkeypatch, corpus_server)
    with Fetcher(host_delay=0.3) as fetcher:
        fetcher.fetch(corpus_server.url("a.xml"))
        fetcher.fetch(corpus_server.url("b.xml"))
        fetcher.fetch(corpus_server.url("a.xml"))
    assert [r.path for r in corpus_server.requests] == ["/robots.txt", "/a.xml", "/b.xml", "/a.xml"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.25 for gap in gaps), gaps


def test_host_delay_holds_across_threads(
    corpus_server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads sharing a fetcher still take turns on one host."""
    for name in ("a.xml", "b.xml", "c.xml"):
        write_feed(corpus_server, name)
    times = record_times(monkeypatch, corpus_server)
    errors: list[BaseException] = []
    with Fetcher(host_delay=0.3) as fetcher:

        def fetch(name: str) -> None:
            try:
                fetcher.fetch(corpus_server.url(name))
            except BaseException as error:  # surface failures in the main thread
                errors.append(error)

        threads = [threading.Thread(target=fetch, args=(n,)) for n in ("a.xml", "b.xml", "c.xml")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert errors == []
    assert len(times) == 4  # robots.txt once, then the three feeds
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(gap >= 0.25 for gap in gaps), gaps


def test_fetcher_reads_settings_at_call_time(
    settings: pytest.FixtureRequest, corpus_server: CorpusServer
) -> None:
    """A fetcher built before a settings change follows the new value."""
    write_feed(corpus_server)
    with Fetcher() as fetcher:
        assert fetcher.fetch(corpus_server.url("feed.xml")).status == 200
        settings.NEWSDESK_FETCH_ALLOW_PRIVATE = False  # type: ignore[attr-defined]
        with pytest.raises(BlockedError, match=re.escape("127.0.0.1")):
            fetcher.fetch(corpus_server.url("feed.xml"))
