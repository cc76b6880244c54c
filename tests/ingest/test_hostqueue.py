"""The crawl's work queue hands out one unit per host at a time, hosts taking turns."""

from __future__ import annotations

import threading
import time

from newsdesk.ingest.hostqueue import HostQueue


def test_a_held_host_gives_no_second_unit() -> None:
    """While a unit of host A is in hand, take() gives B's unit, not A's second one."""
    queue: HostQueue[str] = HostQueue()
    for host, unit in (("a", "a1"), ("a", "a2"), ("b", "b1")):
        queue.put(host, unit)
    assert queue.take() == ("a", "a1")
    assert queue.take() == ("b", "b1")
    queue.release("a")
    assert queue.take() == ("a", "a2")


def test_hosts_take_turns() -> None:
    """A host with many units does not starve the others: after a release it goes last."""
    queue: HostQueue[str] = HostQueue()
    for unit in ("a1", "a2", "a3"):
        queue.put("a.example", unit)
    queue.put("b.example", "b1")
    queue.put("c.example", "c1")
    order = []
    for _ in range(5):
        taken = queue.take()
        assert taken is not None
        order.append(taken[1])
        queue.release(taken[0])
        queue.done()
    assert order == ["a1", "b1", "c1", "a2", "a3"]
    assert queue.take() is None


def test_host_names_are_case_insensitive() -> None:
    """Example.ORG and example.org are one host."""
    queue: HostQueue[str] = HostQueue()
    queue.put("Example.ORG", "one")
    queue.put("example.org", "two")
    assert queue.take() == ("example.org", "one")
    queue.done()
    assert queue.outstanding == 1


def test_first_puts_a_unit_ahead_of_its_host() -> None:
    """A page unit put first runs before the feeds already queued for its host."""
    queue: HostQueue[str] = HostQueue()
    queue.put("a", "feed2")
    queue.put("a", "page", first=True)
    assert queue.take() == ("a", "page")


def test_pause_between_two_units_of_one_host() -> None:
    """After a release, the host's next unit waits for the spacing; other hosts do not."""
    queue: HostQueue[str] = HostQueue(spacing=0.3)
    queue.put("a", "a1")
    queue.put("a", "a2")
    assert queue.take() == ("a", "a1")
    queue.release("a")
    queue.done()
    queue.put("b", "b1")
    started = time.monotonic()
    assert queue.take() == ("b", "b1")
    assert time.monotonic() - started < 0.2
    assert queue.take() == ("a", "a2")
    assert time.monotonic() - started >= 0.25


def test_take_waits_for_units_a_running_unit_adds() -> None:
    """take() does not end the crawl while a unit in hand may still queue more."""
    queue: HostQueue[str] = HostQueue()
    queue.put("feeds", "feed")
    assert queue.take() == ("feeds", "feed")
    got: list[tuple[str, str] | None] = []
    waiter = threading.Thread(target=lambda: got.append(queue.take()))
    waiter.start()
    time.sleep(0.1)
    assert got == []
    queue.put("pages", "page")
    queue.release("feeds")
    queue.done()
    waiter.join(2)
    assert got == [("pages", "page")]
    queue.release("pages")
    queue.done()
    assert queue.take() is None
