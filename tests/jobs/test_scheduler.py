"""The in-process scheduler runs due jobs, and one failing job never stops the others."""

from __future__ import annotations

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


def test_thread_starts_and_stops() -> None:
    """The scheduler thread runs its jobs and stops when asked."""
    CALLS.clear()
    runner = Scheduler(jobs=((f"{__name__}.good_job", 3600),), tick=0.05).start()
    runner.stop()
    assert CALLS == ["good"]


def test_default_jobs_crawl_and_prune() -> None:
    """By default the scheduler crawls, prunes expired hit data and places new articles."""
    paths = {path for path, _ in DEFAULT_JOBS}
    assert paths == {
        "newsdesk.jobs.scheduler.crawl_due_sources",
        "newsdesk.hits.rollups.prune_hits",
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
    assert ("navigator.sendBeacon" in html) is beacon
