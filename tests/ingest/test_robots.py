"""robots.txt rules and their cache, following RFC 9309."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.errors import BlockedError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.robots import (
    MAX_CRAWL_DELAY,
    ROBOTS_MAX_TTL,
    ROBOTS_MIN_TTL,
    RobotsCache,
    RobotsRules,
    cache_max_age,
    keep_for,
    parse_robots,
    robots_url,
    rules_from_response,
)
from tests.ingest.fakeweb import FakeWeb, answer, redirect

FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"

ROBOTS = b"""\
User-agent: *
Disallow: /

User-agent: Newsdesk
Disallow: /private/
Allow: /

User-agent: OtherBot
Allow: /private/
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", True),
        ("/feed.xml", True),
        ("/private/", False),
        ("/private/feed.xml", False),
        ("/private", True),
        ("/news/private/x", True),
    ],
)
def test_our_group_applies(path: str, allowed: bool) -> None:
    """The group naming Newsdesk applies, not the catch-all or another crawler's."""
    rules = parse_robots(ROBOTS)
    assert rules.allows(f"https://news.example{path}") is allowed


LONGEST = b"""\
User-agent: *
Disallow: /news/
Allow: /news/public/
Disallow: /*.pdf$
Disallow: /search*q=
Allow: /page
Disallow: /page.html
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        # The longest matching rule wins, wherever it stands (RFC 9309 §2.2.2).
        ("/news/", False),
        ("/news/2024/story", False),
        ("/news/public/story", True),
        ("/page.html", False),
        ("/page", True),
        ("/pages", True),
        # "*" matches any run of characters, "$" the end of the path.
        ("/files/report.pdf", False),
        ("/files/report.pdf?download=1", True),
        ("/files/report.pdfx", True),
        ("/search?lang=en&q=x", False),
        ("/search", True),
    ],
)
def test_rfc9309_matching(path: str, allowed: bool) -> None:
    """The most specific rule decides, and * and $ patterns work (RFC 9309 §2.2.2, §2.2.3)."""
    assert parse_robots(LONGEST).allows(f"https://news.example{path}") is allowed


def test_allow_wins_a_tie() -> None:
    """When an Allow and a Disallow match equally long, Allow wins (RFC 9309 §2.2.2)."""
    rules = parse_robots(b"User-agent: *\nDisallow: /feed\nAllow: /feed\n")
    assert rules.allows("https://news.example/feed")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"User-agent: *\nCrawl-delay: 5\n", 5.0),
        (b"User-agent: Newsdesk\nCrawl-delay: 2.5\n\nUser-agent: *\nCrawl-delay: 9\n", 2.5),
        (b"User-agent: *\nDisallow: /x\n", 0.0),
        (b"User-agent: *\nCrawl-delay: soon\n", 0.0),
        (b"User-agent: *\nCrawl-delay: 86400\n", MAX_CRAWL_DELAY),
    ],
)
def test_crawl_delay_of_our_group(body: bytes, expected: float) -> None:
    """Crawl-delay is read from the group that applies to us, and capped."""
    assert parse_robots(body).crawl_delay() == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=7200", 7200.0),
        ("public, max-age=120, must-revalidate", 120.0),
        ('max-age="60"', 60.0),
        ("no-cache", 0.0),
        ("private, no-store", 0.0),
        ("", None),
        ("s-maxage=60", None),
    ],
)
def test_cache_control_max_age(header: str, expected: float | None) -> None:
    """Cache-Control max-age (and no-cache/no-store as zero) is read from the answer."""
    assert cache_max_age({"cache-control": header}) == expected


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (parse_robots(b""), 3600.0),
        (parse_robots(b"", max_age=7200), 7200.0),
        (parse_robots(b"", max_age=0), ROBOTS_MIN_TTL),
        (parse_robots(b"", max_age=10 * 86400), ROBOTS_MAX_TTL),
        (rules_from_response(404, b"", {"cache-control": "max-age=900"}), 900.0),
        (rules_from_response(503, b"", {"cache-control": "max-age=99999"}), 600.0),
    ],
)
def test_how_long_rules_are_kept(rules: RobotsRules, expected: float) -> None:
    """The server's max-age is honoured within bounds; nothing is kept past 24 h (§2.4)."""
    assert keep_for(rules, ttl=3600, unreachable_ttl=600) == expected


def test_setting_ttl_is_capped_at_a_day() -> None:
    """An operator TTL longer than 24 hours is cut to 24 hours (RFC 9309 §2.4)."""
    assert keep_for(parse_robots(b""), ttl=7 * 86400, unreachable_ttl=600) == ROBOTS_MAX_TTL


def test_rules_survive_a_round_trip_through_json() -> None:
    """Rules stored as JSON (the Redis store) come back the same."""
    for rules in (parse_robots(ROBOTS, max_age=60), rules_from_response(503, b"")):
        assert RobotsRules.from_json(rules.to_json()) == rules


def test_catch_all_group_applies_when_we_are_not_named() -> None:
    """Without a Newsdesk group, the * group applies."""
    rules = parse_robots(b"User-agent: OtherBot\nDisallow:\n\nUser-agent: *\nDisallow: /tmp/\n")
    assert rules.allows("https://news.example/feed.xml")
    assert not rules.allows("https://news.example/tmp/feed.xml")


def test_agent_match_ignores_case() -> None:
    """Product tokens match case-insensitively (RFC 9309 §2.2.1)."""
    rules = parse_robots(b"User-agent: newsdesk\nDisallow: /\n")
    assert not rules.allows("https://news.example/feed.xml")


def test_byte_order_mark_and_crlf_are_tolerated() -> None:
    """A UTF-8 BOM and CRLF line ends do not hide the rules."""
    rules = parse_robots(b"\xef\xbb\xbfUser-agent: *\r\nDisallow: /private/\r\n")
    assert not rules.allows("https://news.example/private/x")
    assert rules.allows("https://news.example/public")


def test_empty_file_allows_everything() -> None:
    """An empty robots.txt has no rules."""
    assert parse_robots(b"").allows("https://news.example/anything")


@pytest.mark.parametrize(
    ("status", "allowed", "unreachable"),
    [
        # 4xx "unavailable": crawl as if there were no robots.txt (RFC 9309 §2.3.1.3).
        (400, True, False),
        (401, True, False),
        (403, True, False),
        (404, True, False),
        (410, True, False),
        (429, True, False),
        # 5xx "unreachable": assume complete disallow (RFC 9309 §2.3.1.4).
        (500, False, True),
        (502, False, True),
        (503, False, True),
    ],
)
def test_status_of_robots_request(status: int, allowed: bool, unreachable: bool) -> None:
    """The robots.txt status decides the rules as RFC 9309 §2.3.1 says."""
    rules = rules_from_response(status, b"User-agent: *\nDisallow: /\n")
    assert rules.allows("https://news.example/feed.xml") is allowed
    assert rules.unreachable is unreachable


def test_success_status_parses_the_body() -> None:
    """A 2xx robots.txt is parsed."""
    rules = rules_from_response(200, b"User-agent: *\nDisallow: /\n")
    assert not rules.allows("https://news.example/feed.xml")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/a/b?c=1#d", "https://news.example/robots.txt"),
        ("http://News.Example:8080/feed", "http://news.example:8080/robots.txt"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/robots.txt"),
    ],
)
def test_robots_url_is_per_origin(url: str, expected: str) -> None:
    """robots.txt lives at the root of the URL's scheme, host and port (RFC 9309 §2.3)."""
    assert robots_url(url) == expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting_loader(rules: RobotsRules) -> tuple[list[str], RobotsCache, FakeClock]:
    loads: list[str] = []
    clock = FakeClock()

    def load(url: str) -> RobotsRules:
        loads.append(url)
        return rules

    return loads, RobotsCache(load, ttl=3600, unreachable_ttl=600, clock=clock), clock


def test_cache_loads_once_per_origin_within_ttl() -> None:
    """robots.txt is loaded once per origin and reused until the TTL runs out."""
    loads, cache, clock = counting_loader(parse_robots(b""))
    cache.check("https://a.example/1")
    cache.check("https://a.example/2")
    cache.check("https://b.example/1")
    clock.now += 3599
    cache.check("https://a.example/3")
    assert loads == ["https://a.example/robots.txt", "https://b.example/robots.txt"]
    clock.now += 1
    cache.check("https://a.example/4")
    assert loads[-1] == "https://a.example/robots.txt"
    assert len(loads) == 3


def test_unreachable_rules_are_retried_sooner() -> None:
    """A robots.txt that could not be read is asked for again after the shorter TTL."""
    loads, cache, clock = counting_loader(rules_from_response(503, b""))
    with pytest.raises(BlockedError, match="unreachable"):
        cache.check("https://a.example/feed")
    clock.now += 600
    with pytest.raises(BlockedError):
        cache.check("https://a.example/feed")
    assert len(loads) == 2


def test_concurrent_checks_load_once() -> None:
    """Threads checking one origin at once share a single robots.txt load."""
    loads: list[str] = []
    started = threading.Event()

    def slow_load(url: str) -> RobotsRules:
        loads.append(url)
        started.set()
        time.sleep(0.05)
        return parse_robots(b"")

    cache = RobotsCache(slow_load)
    threads = [
        threading.Thread(target=cache.check, args=(f"https://a.example/{n}",)) for n in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert started.is_set()
    assert loads == ["https://a.example/robots.txt"]


# --- Through the fetcher (httpx.MockTransport) ---


def test_disallowed_url_is_blocked_without_being_requested() -> None:
    """A path robots.txt disallows raises BlockedError and is never requested."""
    web = FakeWeb(
        {
            "news.example/robots.txt": answer(200, {}, ROBOTS),
            "news.example/private/feed.xml": answer(200, {}, FEED),
        }
    )
    disallowed = re.escape("robots.txt disallows")
    with web.fetcher() as fetcher, pytest.raises(BlockedError, match=disallowed):
        fetcher.fetch("https://news.example/private/feed.xml")
    assert web.paths() == ["news.example/robots.txt"]


def test_robots_is_fetched_once_for_many_urls() -> None:
    """One robots.txt request serves every later fetch from that host."""
    web = FakeWeb(
        {
            "news.example/robots.txt": answer(200, {}, ROBOTS),
            "news.example/a.xml": answer(200, {}, FEED),
            "news.example/b.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher() as fetcher:
        fetcher.fetch("https://news.example/a.xml")
        fetcher.fetch("https://news.example/b.xml")
        fetcher.fetch("https://news.example/a.xml")
    assert web.paths().count("news.example/robots.txt") == 1
    assert len(web.requests) == 4


@pytest.mark.parametrize("status", [401, 403, 404])
def test_missing_or_forbidden_robots_allows_fetching(status: int) -> None:
    """A 4xx robots.txt, even 401/403, means no rules (RFC 9309 §2.3.1.3)."""
    web = FakeWeb(
        {
            "news.example/robots.txt": answer(status, {}, b"User-agent: *\nDisallow: /\n"),
            "news.example/feed.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher() as fetcher:
        assert fetcher.fetch("https://news.example/feed.xml").content == FEED


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_on_robots_blocks_the_site(status: int) -> None:
    """A 5xx robots.txt means unreachable: everything is disallowed (RFC 9309 §2.3.1.4)."""
    web = FakeWeb(
        {
            "news.example/robots.txt": answer(status),
            "news.example/feed.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher() as fetcher, pytest.raises(BlockedError, match="unreachable"):
        fetcher.fetch("https://news.example/feed.xml")
    assert "news.example/feed.xml" not in web.paths()


def test_network_failure_on_robots_blocks_the_site() -> None:
    """A robots.txt that cannot be reached at all also disallows everything."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    web = FakeWeb({"news.example/robots.txt": fail, "news.example/feed.xml": answer(200)})
    with web.fetcher() as fetcher, pytest.raises(BlockedError, match="timed out"):
        fetcher.fetch("https://news.example/feed.xml")


def test_robots_redirect_is_followed() -> None:
    """A redirected robots.txt is followed (RFC 9309 §2.3.1.2)."""
    web = FakeWeb(
        {
            "news.example/robots.txt": redirect("https://www.news.example/robots.txt", 301),
            "www.news.example/robots.txt": answer(200, {}, ROBOTS),
        }
    )
    with web.fetcher() as fetcher, pytest.raises(BlockedError):
        fetcher.fetch("https://news.example/private/feed.xml")


def test_each_redirect_hop_is_checked_against_its_robots() -> None:
    """A redirect into a disallowed path of another host is blocked."""
    web = FakeWeb(
        {
            "feeds.example/feed.xml": redirect("https://news.example/private/feed.xml"),
            "news.example/robots.txt": answer(200, {}, ROBOTS),
            "news.example/private/feed.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher() as fetcher, pytest.raises(BlockedError):
        fetcher.fetch("https://feeds.example/feed.xml")
    assert "news.example/private/feed.xml" not in web.paths()


def test_respect_robots_false_skips_robots() -> None:
    """With respect_robots=False, robots.txt is neither requested nor obeyed."""
    web = FakeWeb(
        {
            "news.example/robots.txt": answer(200, {}, b"User-agent: *\nDisallow: /\n"),
            "news.example/feed.xml": answer(200, {}, FEED),
        }
    )
    with web.fetcher(respect_robots=False) as fetcher:
        assert fetcher.fetch("https://news.example/feed.xml").content == FEED
    assert web.paths() == ["news.example/feed.xml"]


def test_crawl_delay_longer_than_the_host_delay_spaces_requests(
    corpus_server: CorpusServer,
) -> None:
    """A Crawl-delay longer than the host delay is waited between requests to that host."""
    (corpus_server.root / "robots.txt").write_bytes(b"User-agent: *\nCrawl-delay: 0.4\n")
    (corpus_server.root / "feed.xml").write_bytes(FEED)
    with Fetcher(host_delay=0.0) as fetcher:
        fetcher.fetch(corpus_server.url("feed.xml"))
        started = time.monotonic()
        fetcher.fetch(corpus_server.url("feed.xml"))
        fetcher.fetch(corpus_server.url("feed.xml"))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.75, elapsed


def test_shorter_crawl_delay_keeps_the_host_delay(corpus_server: CorpusServer) -> None:
    """A Crawl-delay shorter than the host delay changes nothing: the longer one applies."""
    (corpus_server.root / "robots.txt").write_bytes(b"User-agent: *\nCrawl-delay: 0.01\n")
    (corpus_server.root / "feed.xml").write_bytes(FEED)
    with Fetcher(host_delay=0.3) as fetcher:
        fetcher.fetch(corpus_server.url("feed.xml"))
        started = time.monotonic()
        fetcher.fetch(corpus_server.url("feed.xml"))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.25, elapsed


def test_robots_max_age_from_the_server_is_honoured(
    corpus_server: CorpusServer, settings: pytest.FixtureRequest
) -> None:
    """With NEWSDESK_FETCH_ROBOTS_TTL=0 the file is asked for on every fetch; max-age keeps it."""
    settings.NEWSDESK_FETCH_ROBOTS_TTL = 0  # type: ignore[attr-defined]
    (corpus_server.root / "feed.xml").write_bytes(FEED)
    with Fetcher() as fetcher:
        fetcher.fetch(corpus_server.url("feed.xml"))
        fetcher.fetch(corpus_server.url("feed.xml"))
        assert len(corpus_server.requests_for("/robots.txt")) == 2
        corpus_server.overrides.responses["/robots.txt"] = (
            200,
            {"Cache-Control": "max-age=3600"},
            b"User-agent: *\nAllow: /\n",
        )
        for _ in range(3):
            fetcher.fetch(corpus_server.url("feed.xml"))
    assert len(corpus_server.requests_for("/robots.txt")) == 3


# --- Against the loopback corpus server ---


def test_robots_in_the_served_folder_blocks_a_path(corpus_server: CorpusServer) -> None:
    """A robots.txt served by a real server blocks what it disallows and nothing else."""
    (corpus_server.root / "robots.txt").write_bytes(b"User-agent: Newsdesk\nDisallow: /drafts/\n")
    (corpus_server.root / "drafts").mkdir()
    (corpus_server.root / "drafts" / "feed.xml").write_bytes(FEED)
    (corpus_server.root / "feed.xml").write_bytes(FEED)
    with Fetcher() as fetcher:
        assert fetcher.fetch(corpus_server.url("feed.xml")).content == FEED
        with pytest.raises(BlockedError, match=re.escape("robots.txt disallows")):
            fetcher.fetch(corpus_server.url("drafts/feed.xml"))
    assert corpus_server.requests_for("/drafts/feed.xml") == []
    assert len(corpus_server.requests_for("/robots.txt")) == 1
    sent = corpus_server.requests_for("/robots.txt")[0].headers["User-Agent"]
    assert sent.endswith(" Newsdesk")


def test_server_error_robots_blocks_the_real_server(corpus_server: CorpusServer) -> None:
    """A real 503 on robots.txt blocks the host (RFC 9309 §2.3.1.4)."""
    corpus_server.overrides.responses["/robots.txt"] = (503, {}, b"busy")
    (corpus_server.root / "feed.xml").write_bytes(FEED)
    with Fetcher() as fetcher, pytest.raises(BlockedError, match="unreachable"):
        fetcher.fetch(corpus_server.url("feed.xml"))
    assert corpus_server.requests_for("/feed.xml") == []
