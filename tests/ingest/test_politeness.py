"""HostThrottle: one request at a time per host, spaced by the host delay."""

from __future__ import annotations

import threading
import time

from newsdesk.ingest.politeness import HostThrottle


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
