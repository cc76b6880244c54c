"""Sources behave as operators expect: gone feeds stop, moved feeds follow, over real HTTP."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.pipeline import refresh_source
from newsdesk.ingest.schedule import due_sources
from newsdesk.sources.models import FetchStatus, Source
from newsdesk.stories.models import Article

FEEDS = Path(__file__).resolve().parents[1] / "data" / "integration" / "feeds"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(corpus_server: CorpusServer) -> CorpusServer:
    shutil.copy(FEEDS / "tpm.atom", corpus_server.root / "tpm.atom")
    return corpus_server


def test_gone_feed_stops_being_fetched_and_keeps_its_articles(served: CorpusServer) -> None:
    """HTTP 410 stops the fetching with a visible reason; the articles stay published."""
    source = Source.objects.create(name="TPM", feed_url=served.url("tpm.atom"))
    assert refresh_source(source).new == 20
    served.overrides.responses["/tpm.atom"] = (410, {"Content-Type": "text/plain"}, b"gone")
    Source.objects.update(next_fetch_at=timezone.now())

    [result] = crawl(due_sources())

    source.refresh_from_db()
    assert result.stopped == source.fetch_stopped_reason
    assert "HTTP 410 Gone" in source.fetch_stopped_reason
    assert source.fetch_stopped_at is not None and source.active
    assert due_sources(timezone.now() + timedelta(days=7)) == []
    assert Article.objects.published().filter(source=source).count() == 20


def test_permanent_failures_stop_after_the_configured_days(
    served: CorpusServer, settings: pytest.FixtureRequest
) -> None:
    """A feed answering 404 for NEWSDESK_SOURCE_GIVE_UP_DAYS is no longer fetched."""
    settings.NEWSDESK_SOURCE_GIVE_UP_DAYS = 3  # type: ignore[attr-defined]
    source = Source.objects.create(name="Missing", feed_url=served.url("missing.xml"))
    refresh_source(source)
    source.refresh_from_db()
    assert source.failing_since is not None and source.fetch_stopped_at is None

    Source.objects.update(failing_since=timezone.now() - timedelta(days=3))
    source.refresh_from_db()
    result = refresh_source(source)

    source.refresh_from_db()
    assert source.fetch_stopped_at is not None
    assert source.fetch_stopped_reason.startswith("Failed on every fetch for 3 days")
    assert "HTTP 404 Not Found" in result.stopped


def test_server_errors_never_stop_a_source(served: CorpusServer) -> None:
    """A 503 backs off but neither starts the give-up clock nor stops the source."""
    served.overrides.responses["/busy.xml"] = (503, {}, b"busy")
    source = Source.objects.create(name="Busy", feed_url=served.url("busy.xml"))
    refresh_source(source)
    source.refresh_from_db()
    assert source.last_status == FetchStatus.ERROR
    assert source.failing_since is None and source.fetch_stopped_at is None


def test_a_success_ends_a_failing_run(served: CorpusServer) -> None:
    """Once the feed answers again, the failing-since time is cleared."""
    source = Source.objects.create(
        name="TPM", feed_url=served.url("tpm.atom"), failing_since=timezone.now()
    )
    refresh_source(source)
    source.refresh_from_db()
    assert source.failing_since is None


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_updates_the_feed_url(served: CorpusServer, status: int) -> None:
    """A 301/308 on the feed stores the new URL (and the old one); later fetches go there."""
    served.overrides.responses["/old.atom"] = (status, {"Location": "/tpm.atom"}, b"")
    source = Source.objects.create(name="TPM", feed_url=served.url("old.atom"))

    result = refresh_source(source)

    source.refresh_from_db()
    assert result.moved_to == served.url("tpm.atom") == source.feed_url
    assert source.previous_feed_url == served.url("old.atom")
    assert result.new == 20
    Source.objects.update(next_fetch_at=timezone.now(), etag="", last_modified="")
    crawl(due_sources())
    assert len(served.requests_for("/old.atom")) == 1
    assert len(served.requests_for("/tpm.atom")) == 2


def test_temporary_redirect_keeps_the_feed_url(served: CorpusServer) -> None:
    """A 302 (or a 301 followed by a 302) leaves the stored URL alone."""
    served.overrides.responses["/old.atom"] = (301, {"Location": "/moving.atom"}, b"")
    served.overrides.responses["/moving.atom"] = (302, {"Location": "/tpm.atom"}, b"")
    source = Source.objects.create(name="TPM", feed_url=served.url("old.atom"))
    assert refresh_source(source).moved_to == ""
    source.refresh_from_db()
    assert source.feed_url == served.url("old.atom")


def test_redirect_onto_another_source_stops_the_duplicate(served: CorpusServer) -> None:
    """When the new URL is already a source, this one stops (no unique clash, no twin feed)."""
    Source.objects.create(name="TPM proper", feed_url=served.url("tpm.atom"))
    served.overrides.responses["/old.atom"] = (301, {"Location": "/tpm.atom"}, b"")
    old = Source.objects.create(name="TPM old", feed_url=served.url("old.atom"))

    result = refresh_source(old)

    old.refresh_from_db()
    assert old.feed_url == served.url("old.atom")
    assert old.fetch_stopped_at is not None
    assert "already the source TPM proper" in old.fetch_stopped_reason == result.stopped


def recent_feed(hours_ago: list[int]) -> bytes:
    """An RSS feed whose items were published the given hours before now."""
    now = timezone.now()
    items = "".join(
        f"<item><guid>item-{n}</guid><title>Item {n}</title><link>https://example.org/{n}</link>"
        f"<description>Text of item {n}.</description>"
        f"<pubDate>{(now - timedelta(hours=ago)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        "</pubDate></item>"
        for n, ago in enumerate(hours_ago)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Hourly</title>'
        f"<link>https://example.org/</link>{items}</channel></rss>"
    ).encode()


def test_a_fetch_records_last_success_response_time_and_items_per_day(
    corpus_server: CorpusServer,
) -> None:
    """The health measures are taken at fetch time: when, how fast, how much the feed publishes."""
    (corpus_server.root / "hourly.xml").write_bytes(recent_feed(list(range(1, 13))))
    corpus_server.delay = 0.15
    source = Source.objects.create(name="Hourly", feed_url=corpus_server.url("hourly.xml"))
    before = timezone.now()

    refresh_source(source)

    source.refresh_from_db()
    assert source.last_success_at is not None and source.last_success_at >= before
    assert source.response_ms is not None and 150 <= source.response_ms < 5000
    # Twelve items over the last twelve hours: 24 a day.
    assert source.items_per_day == pytest.approx(24.0, rel=0.01)


def test_a_failure_keeps_the_last_success_and_a_304_keeps_the_rate(
    served: CorpusServer,
) -> None:
    """A failed fetch leaves last success alone; a 304 has no entries, so the rate stays."""
    source = Source.objects.create(name="TPM", feed_url=served.url("tpm.atom"))
    refresh_source(source)
    source.refresh_from_db()
    succeeded, rate = source.last_success_at, source.items_per_day
    # TPM's entries are from 2017: the feed publishes nothing now.
    assert rate == 0.0

    assert refresh_source(source).status == FetchStatus.NOT_MODIFIED
    source.refresh_from_db()
    assert source.items_per_day == rate and source.last_success_at is not None
    assert source.last_success_at > succeeded  # type: ignore[operator]

    served.overrides.responses["/tpm.atom"] = (500, {}, b"down")
    refresh_source(source)
    failed = Source.objects.get(pk=source.pk)
    assert failed.last_status == FetchStatus.ERROR
    assert failed.last_success_at == source.last_success_at
