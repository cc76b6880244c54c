"""Host throttles: one request at a time per host, spaced by the delay, across processes too."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from newsdesk.ingest.errors import BlockedError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.politeness import HostThrottle, RedisHostThrottle
from newsdesk.ingest.robots import RedisRobotsStore
from tests.conftest import service_url
from tests.ingest.loopback import LoopbackServer, answer, slow

ROOT = Path(__file__).resolve().parents[2]


class FakeTime:
    """A clock that only moves when the throttle sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_first_request_to_a_host_does_not_wait() -> None:
    """A host never seen before is fetched at once."""
    fake = FakeTime()
    throttle = HostThrottle(clock=fake.clock, sleep=fake.sleep)
    with throttle.slot("a.example", 1.0):
        pass
    assert fake.sleeps == []


def test_next_request_waits_out_the_delay_since_the_last_one_ended() -> None:
    """A second request waits for the rest of the delay, counted from the end of the first."""
    fake = FakeTime()
    throttle = HostThrottle(clock=fake.clock, sleep=fake.sleep)
    with throttle.slot("a.example", 1.0):
        fake.now += 5.0  # a slow response does not count toward the pause
    fake.now += 0.25
    with throttle.slot("a.example", 1.0):
        pass
    assert fake.sleeps == [0.75]


def test_no_wait_once_the_delay_has_passed() -> None:
    """A request after the delay goes at once."""
    fake = FakeTime()
    throttle = HostThrottle(clock=fake.clock, sleep=fake.sleep)
    with throttle.slot("a.example", 1.0):
        pass
    fake.now += 1.0
    with throttle.slot("A.Example", 1.0):
        pass
    assert fake.sleeps == []


def test_hosts_do_not_wait_for_each_other() -> None:
    """Requests to different hosts are not spaced."""
    fake = FakeTime()
    throttle = HostThrottle(clock=fake.clock, sleep=fake.sleep)
    for host in ("a.example", "b.example", "c.example"):
        with throttle.slot(host, 1.0):
            pass
    assert fake.sleeps == []


def test_a_failed_request_still_counts() -> None:
    """An exception inside the slot still starts the host's pause."""
    fake = FakeTime()
    throttle = HostThrottle(clock=fake.clock, sleep=fake.sleep)
    try:
        with throttle.slot("a.example", 1.0):
            raise OSError("connection reset")
    except OSError:
        pass
    with throttle.slot("a.example", 1.0):
        pass
    assert fake.sleeps == [1.0]


def test_one_request_at_a_time_per_host_across_threads() -> None:
    """Threads sharing a host never hold its slot together; other hosts run alongside."""
    throttle = HostThrottle()
    inside: dict[str, int] = {"a.example": 0, "b.example": 0}
    most: dict[str, int] = {"a.example": 0, "b.example": 0}
    guard = threading.Lock()

    def work(host: str) -> None:
        with throttle.slot(host, 0.0):
            with guard:
                inside[host] += 1
                most[host] = max(most[host], inside[host])
            time.sleep(0.02)
            with guard:
                inside[host] -= 1

    threads = [threading.Thread(target=work, args=(h,)) for h in ["a.example", "b.example"] * 4]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert most == {"a.example": 1, "b.example": 1}
    # Four turns per host, the two hosts in parallel: well under eight turns in a row.
    assert time.monotonic() - start >= 4 * 0.02


# --- Shared through Redis, across processes ---


@pytest.fixture
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(service_url("NEWSDESK_TEST_REDIS_URL", "Redis"))
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: Redis) -> Iterator[str]:
    """A key prefix of this test alone, deleted afterwards."""
    name = f"newsdesk-test:{uuid.uuid4().hex}"
    yield name
    for key in redis_client.scan_iter(f"{name}:*"):
        redis_client.delete(key)


@pytest.mark.redis
def test_redis_throttle_serializes_threads_and_spaces_turns(
    redis_client: Redis, prefix: str
) -> None:
    """Holders of one Redis throttle never overlap on a host and rest the delay in between."""
    throttles = [RedisHostThrottle(redis_client, prefix=prefix) for _ in range(3)]
    spans: list[tuple[float, float]] = []
    guard = threading.Lock()

    def work(throttle: RedisHostThrottle) -> None:
        for _ in range(3):
            with throttle.slot("a.example", 0.05, hold=5):
                began = time.monotonic()
                time.sleep(0.02)
                with guard:
                    spans.append((began, time.monotonic()))

    threads = [threading.Thread(target=work, args=(t,)) for t in throttles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    spans.sort()
    assert len(spans) == 9
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(spans)]
    assert min(gaps) >= 0.045, gaps


@pytest.mark.redis
def test_redis_throttle_hosts_do_not_wait_for_each_other(redis_client: Redis, prefix: str) -> None:
    """A turn held on one host does not block another host."""
    throttle = RedisHostThrottle(redis_client, prefix=prefix)
    with throttle.slot("a.example", 30.0, hold=5):
        started = time.monotonic()
        with throttle.slot("b.example", 30.0, hold=5):
            pass
    assert time.monotonic() - started < 1.0


@pytest.mark.redis
def test_a_killed_holder_frees_the_host_when_its_lock_expires(
    redis_client: Redis, prefix: str
) -> None:
    """A process killed while holding a host never blocks it past the lock's time to live."""
    url = service_url("NEWSDESK_TEST_REDIS_URL", "Redis")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOREVER, url, prefix], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        holder.kill()
        holder.wait(timeout=10)
        started = time.monotonic()
        with RedisHostThrottle(redis_client, prefix=prefix).slot("a.example", 0.0, hold=1):
            waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    # The holder's lock lives for its hold (1 s, no margin here); never forever.
    assert 0.3 < waited < 3.0, waited


HOLD_FOREVER = """
import sys, time
from redis import Redis
from newsdesk.ingest.politeness import RedisHostThrottle
throttle = RedisHostThrottle(Redis.from_url(sys.argv[1]), prefix=sys.argv[2], margin=0)
with throttle.slot("a.example", 0.0, hold=1):
    print("holding", flush=True)
    time.sleep(600)
"""


@pytest.mark.redis
def test_redis_robots_store_is_shared_between_fetchers(redis_client: Redis, prefix: str) -> None:
    """Two fetchers sharing a Redis store ask for a host's robots.txt once between them."""
    routes = {
        "/robots.txt": answer(200, b"User-agent: *\nDisallow: /private/\n"),
        "/feed.xml": answer(200, b"<rss/>"),
    }
    with LoopbackServer(routes) as server:
        for _ in range(2):
            with Fetcher(robots_store=RedisRobotsStore(redis_client, prefix=prefix)) as fetcher:
                assert fetcher.fetch(server.url("feed.xml")).status == 200
                with pytest.raises(BlockedError):
                    fetcher.fetch(server.url("private/x"))
    assert server.paths() == ["/robots.txt", "/feed.xml", "/feed.xml"]
    assert redis_client.pttl(f"{prefix}:robots:{server.url('robots.txt')}") > 0


@pytest.mark.redis
@pytest.mark.slow
def test_crawler_processes_make_one_request_at_a_time_per_host(
    redis_client: Redis, tmp_path: Path
) -> None:
    """Crawler processes sharing NEWSDESK_REDIS_URL never have two requests in flight to a host."""
    url = service_url("NEWSDESK_TEST_REDIS_URL", "Redis")
    processes, per_process = 3, 5
    routes = {f"/p{p}/{n}": slow(0.05) for p in range(processes) for n in range(per_process)}
    barrier = tmp_path / "ready"
    barrier.mkdir()
    with LoopbackServer(routes) as server:
        redis_client.delete(f"newsdesk:fetch:robots:{server.url('robots.txt')}")
        env = {
            **os.environ,
            "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
            "NEWSDESK_REDIS_URL": url,
            "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
            "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
            "NEWSDESK_FETCH_HOST_DELAY": "0.02",
            "CRAWLER_BARRIER": f"{barrier}:{processes}",
        }
        crawlers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.ingest.crawler_process"]
                + [server.url(f"p{p}/{n}") for n in range(per_process)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for p in range(processes)
        ]
        outputs = [crawler.communicate(timeout=60)[0] for crawler in crawlers]
    assert [json.loads(out) for out in outputs] == [[200] * per_process] * processes
    pages = [visit for visit in server.log if visit.path != "/robots.txt"]
    assert len(pages) == processes * per_process
    assert server.overlaps() == []
    # The processes really ran side by side: their turns interleave in the log.
    order = [visit.path.split("/")[1] for visit in sorted(pages, key=lambda v: v.started)]
    assert sum(a != b for a, b in itertools.pairwise(order)) >= processes
