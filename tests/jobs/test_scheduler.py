"""The in-process scheduler runs due jobs, and one failing job never stops the others."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import Client

from newsdesk.jobs import scheduler as scheduler_module
from newsdesk.jobs.scheduler import DEFAULT_JOBS, Scheduler

CALLS: list[str] = []


def broken_job() -> None:
    CALLS.append("broken")
    raise RuntimeError("boom")


def good_job() -> None:
    CALLS.append("good")


def test_failing_job_does_not_stop_the_next() -> None:
    """A job that raises is logged; the jobs after it still run."""
    CALLS.clear()
    runner = Scheduler(jobs=((f"{__name__}.broken_job", 60), (f"{__name__}.good_job", 60)))
    runner.run_pending()
    assert CALLS == ["broken", "good"]


def test_jobs_run_only_when_due() -> None:
    """A job ran a moment ago is not run again before its interval."""
    CALLS.clear()
    runner = Scheduler(jobs=((f"{__name__}.good_job", 3600),))
    runner.run_pending()
    runner.run_pending()
    assert CALLS == ["good"]


def test_run_stops_when_asked() -> None:
    """The scheduler loop runs its jobs and returns once the stop event is set."""
    CALLS.clear()
    stop = threading.Event()
    runner = Scheduler(jobs=((f"{__name__}.good_job", 3600),), tick=0.05)
    thread = threading.Thread(target=runner.run, args=(stop,))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
    assert CALLS == ["good"]


def test_run_stops_when_its_supervisor_is_gone() -> None:
    """The lanes stop as soon as ``alive()`` says the supervising process went away."""
    CALLS.clear()
    checks = iter([True, True, False])
    started = time.monotonic()
    Scheduler(jobs=((f"{__name__}.good_job", 3600),), tick=0.01).run(
        threading.Event(), alive=lambda: next(checks)
    )
    assert time.monotonic() - started < 5
    assert CALLS == ["good"]


SLOW_RUNNING = threading.Event()


def slow_job() -> None:
    SLOW_RUNNING.set()
    time.sleep(1.0)
    SLOW_RUNNING.clear()


def test_a_long_job_never_delays_the_others() -> None:
    """While a crawl-like job runs for a second, a 50 ms job keeps its own pace."""
    CALLS.clear()
    runner = Scheduler(
        jobs=((f"{__name__}.slow_job", 3600), (f"{__name__}.good_job", 0.05)), tick=0.05
    ).start()
    try:
        assert SLOW_RUNNING.wait(2)
        during = len(CALLS)
        time.sleep(0.6)
        assert SLOW_RUNNING.is_set()  # the long job is still running...
        assert len(CALLS) - during >= 5  # ...and the short one ran meanwhile
    finally:
        runner.stop()


def test_default_jobs_crawl_prune_send_digests_and_place() -> None:
    """By default the scheduler crawls, prunes hit data, sends digests and places new articles."""
    paths = {path for path, _ in DEFAULT_JOBS}
    assert paths == {
        "newsdesk.jobs.scheduler.crawl_due_sources",
        "newsdesk.hits.rollups.prune_hits",
        "newsdesk.comments.digest.send_held_digests",
        "newsdesk.stories.stage.understand_new_articles",
    }
    for path in paths:
        assert callable(scheduler_module.import_string(path))


@pytest.mark.django_db
@pytest.mark.parametrize("beacon", [True, False])
def test_pages_carry_the_beacon_only_in_beacon_mode(
    beacon: bool, client: Client, settings: pytest.FixtureRequest
) -> None:
    """With NEWSDESK_HITS_BEACON the page reports its view by beacon; otherwise no script."""
    settings.NEWSDESK_HITS_BEACON = beacon  # type: ignore[attr-defined]
    html = client.get("/").content.decode()
    assert ("hits/beacon.js" in html) is beacon
