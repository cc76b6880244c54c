"""Each request ends by its deadline, body included, and frees its host then."""

from __future__ import annotations

import threading
import time

import pytest

from newsdesk.ingest.errors import FetchTimeoutError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.pipeline import refresh_source
from newsdesk.ingest.subscribe import SourceError, add_source
from newsdesk.sources.models import FetchStatus
from tests.ingest.loopback import LoopbackServer, answer, slow, trickle
from tests.site.factories import make_source

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def test_a_trickling_body_is_cut_at_the_deadline() -> None:
    """One byte a second never trips the read timeout, but the deadline ends it."""
    with (
        LoopbackServer({"/feed.xml": trickle(every=1.0)}) as server,
        Fetcher(deadline=2.0, timeout=20) as fetcher,
    ):
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match=r"within the 2 s deadline"):
            fetcher.fetch(server.url("feed.xml"))
        elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 3.0, elapsed


def test_a_server_that_never_answers_is_cut_at_the_deadline() -> None:
    """A server that takes the request and stays silent is given up at the deadline."""
    with (
        LoopbackServer({"/feed.xml": slow(6.0)}) as server,
        Fetcher(deadline=1.0, timeout=20, respect_robots=False) as fetcher,
    ):
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="deadline"):
            fetcher.fetch(server.url("feed.xml"))
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0, elapsed


def test_a_read_timeout_before_the_deadline_says_so() -> None:
    """A silence longer than the read timeout but within the deadline is a read timeout."""
    with (
        LoopbackServer({"/feed.xml": slow(3.0)}) as server,
        Fetcher(deadline=10.0, timeout=0.5, respect_robots=False) as fetcher,
        pytest.raises(FetchTimeoutError, match=r"timed out after 0.5 s"),
    ):
        fetcher.fetch(server.url("feed.xml"))


def test_the_host_is_free_again_at_the_deadline() -> None:
    """A request waiting for the same host starts when the slow one hits its deadline."""
    routes = {"/slow.xml": trickle(every=0.5), "/fast.xml": answer(200, FEED)}
    with LoopbackServer(routes) as server, Fetcher(deadline=1.5, host_delay=0.0) as fetcher:
        fetcher.fetch(server.url("fast.xml"))  # robots.txt is known from here on
        errors: list[BaseException] = []

        def fetch_slow() -> None:
            try:
                fetcher.fetch(server.url("slow.xml"))
            except FetchTimeoutError as error:
                errors.append(error)

        slow_thread = threading.Thread(target=fetch_slow)
        slow_thread.start()
        time.sleep(0.2)
        assert fetcher.fetch(server.url("fast.xml")).status == 200
        slow_thread.join(timeout=10)
    assert len(errors) == 1
    slow_visit = next(v for v in server.log if v.path == "/slow.xml")
    waiting = [v for v in server.log if v.path == "/fast.xml"][-1]
    # The waiting request went out when the slow one's deadline freed the host
    # (the trickling server itself only notices the hang-up at its next byte).
    # The trickle never ends, so a host not freed at the deadline would hold the
    # waiting request for the whole join; the upper bound leaves room for a loaded CI.
    assert 1.4 <= waiting.started - slow_visit.started < 3.0


@pytest.mark.django_db
def test_the_timeout_is_stored_on_the_source(settings: pytest.FixtureRequest) -> None:
    """A refresh cut by the deadline stores a timeout error on the source."""
    settings.NEWSDESK_FETCH_DEADLINE = 1.0  # type: ignore[attr-defined]
    with LoopbackServer({"/feed.xml": trickle(every=0.3)}) as server:
        source = make_source(feed_url=server.url("feed.xml"))
        result = refresh_source(source)
    source.refresh_from_db()
    assert result.status == FetchStatus.ERROR
    assert source.last_status == FetchStatus.ERROR
    assert source.last_error.startswith("FetchTimeoutError: ")
    assert "1 s deadline" in source.last_error


@pytest.mark.django_db
def test_add_source_is_bounded_by_the_deadline(settings: pytest.FixtureRequest) -> None:
    """add-source on a URL that trickles gives up at the deadline with a readable error."""
    settings.NEWSDESK_FETCH_DEADLINE = 1.0  # type: ignore[attr-defined]
    with LoopbackServer({"/": trickle(every=0.3)}) as server:
        started = time.monotonic()
        with pytest.raises(SourceError, match="deadline"):
            add_source(server.url("/"))
        elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed
