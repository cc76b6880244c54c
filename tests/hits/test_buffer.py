"""The hit buffer: batches stored in one transaction, kept on failure, capped; Redis shared."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import OperationalError

from newsdesk.hits import recorder, rollups
from newsdesk.hits.buffer import Hit, MemoryBuffer, RedisBuffer
from newsdesk.hits.models import FilteredDaily, PageView, SiteCounter, SiteDaily
from newsdesk.hits.recorder import Flusher, flush_now, use_buffer
from tests.conftest import service_url
from tests.hits.recording import NOON, filtered, view


def _hits(count: int) -> list[Hit]:
    return [view(ts=NOON + timedelta(seconds=i), visitor=f"{i:032x}") for i in range(count)]


def test_memory_buffer_drops_oldest_past_its_cap() -> None:
    """A full buffer keeps the newest hits and counts what it dropped."""
    buffer = MemoryBuffer(limit=3)
    hits = _hits(5)
    for hit in hits:
        buffer.append(hit)
    assert buffer.dropped() == 2
    assert buffer.take(10) == hits[2:]


def test_memory_buffer_hands_out_the_same_batch_until_acknowledged() -> None:
    """take() returns the unacknowledged batch again; ack() moves on to the next one."""
    buffer = MemoryBuffer(limit=100)
    hits = _hits(5)
    for hit in hits:
        buffer.append(hit)
    assert buffer.take(3) == hits[:3]
    assert buffer.take(3) == hits[:3]
    assert buffer.pending() == 5
    buffer.ack()
    assert buffer.take(3) == hits[3:]
    buffer.ack()
    assert buffer.take(3) == []


@pytest.mark.django_db
def test_flush_stores_batches_and_counts(settings: object) -> None:
    """flush_now stores every queued hit in batches and returns how many it stored."""
    settings.NEWSDESK_HITS_BATCH_SIZE = 4  # type: ignore[attr-defined]
    buffer = recorder.get_buffer()
    for hit in [*_hits(9), filtered("crawler")]:
        buffer.append(hit)
    assert flush_now() == 10
    assert PageView.objects.count() == 9
    assert SiteCounter.objects.get().views == 9
    assert FilteredDaily.objects.get().requests == 1
    assert flush_now() == 0


@pytest.mark.django_db
def test_a_failing_batch_is_rolled_back_whole_and_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: a failure after the raw rows leaves nothing; the retry stores all once."""
    for hit in _hits(6):
        recorder.get_buffer().append(hit)
    real = rollups._add_visitors

    def broken(*args: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(rollups, "_add_visitors", broken)
    with pytest.raises(OperationalError):
        flush_now()
    assert PageView.objects.count() == 0
    assert not SiteDaily.objects.exists()
    assert recorder.get_buffer().pending() == 6

    monkeypatch.setattr(rollups, "_add_visitors", real)
    assert flush_now() == 6
    day = SiteDaily.objects.get()
    assert (PageView.objects.count(), day.views, day.visitors) == (6, 6, 6)


@pytest.mark.django_db
def test_flusher_backs_off_while_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    """Each failure doubles the wait (capped); success restores the interval and stores all."""
    settings.NEWSDESK_HITS_FLUSH_SECONDS = 1  # type: ignore[attr-defined]
    for hit in _hits(3):
        recorder.get_buffer().append(hit)
    outages = iter([True, True, True])
    real = recorder.apply_batch

    def flaky(batch: list[Hit]) -> int:
        if next(outages, False):
            raise OperationalError("could not connect to server")
        return real(batch)

    monkeypatch.setattr(recorder, "apply_batch", flaky)
    monkeypatch.setattr(recorder, "close_old_connections", lambda: None)
    flusher = Flusher()
    assert [flusher.flush_once() for _ in range(3)] == [2.0, 4.0, 8.0]
    assert PageView.objects.count() == 0
    assert flusher.flush_once() == 1.0
    assert PageView.objects.count() == 3
    assert flusher.failures == 0


@pytest.mark.django_db
def test_a_batch_failing_for_another_reason_is_dropped_at_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch that can never be stored (not an outage) is dropped after a few tries."""
    for hit in _hits(2):
        recorder.get_buffer().append(hit)

    def poison(batch: list[Hit]) -> int:
        raise ValueError("bad data")

    monkeypatch.setattr(recorder, "apply_batch", poison)
    monkeypatch.setattr(recorder, "close_old_connections", lambda: None)
    flusher = Flusher()
    for _ in range(recorder.MAX_POISON_ATTEMPTS):
        flusher.flush_once()
    assert recorder.get_buffer().pending() == 0


@pytest.mark.django_db(transaction=True)
def test_background_flusher_stores_views_within_its_interval(settings: object) -> None:
    """The flusher thread stores queued views without anyone calling flush_now."""
    settings.NEWSDESK_HITS_FLUSH_SECONDS = 0.1  # type: ignore[attr-defined]
    for hit in _hits(5):
        recorder.get_buffer().append(hit)
    flusher = Flusher()
    flusher.thread.start()
    try:
        deadline = time.monotonic() + 10
        # Poll the buffer, not the table: SQLite's shared-cache test database
        # refuses readers while the flusher thread writes.
        while recorder.get_buffer().pending() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        flusher.stop.set()
        flusher.wake.set()
        flusher.thread.join(timeout=10)
    assert PageView.objects.count() == 5


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    return service_url("NEWSDESK_TEST_REDIS_URL", "Redis")


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test alone, deleted afterwards."""
    name = f"newsdesk-test:{uuid.uuid4().hex}"
    yield name
    RedisBuffer(redis_url, limit=1, prefix=name).clear()


@pytest.mark.redis
def test_redis_buffer_caps_and_retries_like_memory(redis_url: str, prefix: str) -> None:
    """Redis keeps the newest hits past its cap and hands a batch out until acknowledged."""
    buffer = RedisBuffer(redis_url, limit=4, prefix=prefix)
    hits = _hits(6)
    assert [buffer.append(hit) for hit in hits] == [1, 2, 3, 4, 4, 4]
    assert buffer.dropped() == 2
    assert buffer.take(3) == hits[2:5]
    assert buffer.take(3) == hits[2:5]
    buffer.ack()
    assert buffer.take(3) == hits[5:]
    buffer.ack()
    assert buffer.pending() == 0


@pytest.mark.redis
def test_redis_buffer_is_shared_and_survives_a_dead_flusher(redis_url: str, prefix: str) -> None:
    """Two processes share one queue; a batch held by a flusher that died is requeued."""
    web = RedisBuffer(redis_url, limit=100, prefix=prefix)
    crashed = RedisBuffer(redis_url, limit=100, prefix=prefix)
    survivor = RedisBuffer(redis_url, limit=100, prefix=prefix)
    hits = _hits(5)
    for hit in hits:
        web.append(hit)
    assert crashed.take(2) == hits[:2]
    assert survivor.recover_orphans() == 0  # still alive: its batch is left alone
    crashed.client.delete(crashed._alive_key(crashed.token))  # heartbeat expired
    assert survivor.recover_orphans() == 2
    assert survivor.take(10) == hits


@pytest.mark.redis
@pytest.mark.django_db
def test_flush_from_redis_stores_and_empties_it(redis_url: str, prefix: str) -> None:
    """With a Redis buffer, flush_now stores what any process queued and empties the lists."""
    buffer = RedisBuffer(redis_url, limit=100, prefix=prefix)
    use_buffer(buffer)
    for hit in [*_hits(7), filtered("head")]:
        buffer.append(hit)
    assert flush_now() == 8
    assert PageView.objects.count() == 7
    assert buffer.pending() == 0
    assert sorted(buffer.client.keys(f"{prefix}:queue*")) == []


@pytest.mark.redis
def test_redis_url_setting_selects_the_shared_buffer(redis_url: str, settings: object) -> None:
    """With NEWSDESK_REDIS_URL set, every process queues into Redis instead of its memory."""
    settings.NEWSDESK_REDIS_URL = redis_url  # type: ignore[attr-defined]
    use_buffer(None)
    try:
        buffer = recorder.get_buffer()
        assert isinstance(buffer, RedisBuffer)
        assert buffer.queue_key == "newsdesk:hits:queue"
    finally:
        use_buffer(None)
