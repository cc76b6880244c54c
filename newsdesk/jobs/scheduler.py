"""The in-process scheduler: crawls due sources and runs periodic upkeep.

`newsdesk scheduler` runs it in the foreground of its own process, which
`newsdesk serve` starts beside gunicorn (jobs/server.py); a larger deployment
turns it off (NEWSDESK_SCHEDULER=false) and runs `newsdesk crawl` or Celery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """A dotted-path function run every ``every`` seconds."""

    path: str
    every: float
    last_run: float = field(default=float("-inf"))

    def due(self, now: float) -> bool:
        return now - self.last_run >= self.every


def crawl_due_sources() -> int:
    """Refresh every due source; return how many were refreshed."""
    from newsdesk.ingest.crawler import crawl
    from newsdesk.ingest.schedule import due_sources

    return len(crawl(due_sources()))


DEFAULT_JOBS: tuple[tuple[str, float], ...] = (
    ("newsdesk.jobs.scheduler.crawl_due_sources", 30.0),
    # Raw views past their retention and day salts past 24 hours are deleted.
    ("newsdesk.hits.rollups.prune_hits", 3600.0),
    # Editors' digest of held comments; each editor gets one per NEWSDESK_COMMENTS_DIGEST_MINUTES.
    ("newsdesk.comments.digest.send_held_digests", 60.0),
    # New articles join their stories (reprints, clusters) within seconds of being stored.
    ("newsdesk.stories.stage.understand_new_articles", 5.0),
)


class Scheduler:
    """Run each job on its own schedule until stopped; a failing job never stops the others.

    Every job has a lane (a thread) of its own, so a long crawl never delays the
    5-second Understand job or the digests; a job never overlaps with itself.
    """

    def __init__(self, jobs: tuple[tuple[str, float], ...] = DEFAULT_JOBS, tick: float = 5.0):
        self.jobs = [Job(path, every) for path, every in jobs]
        self.tick = tick
        self._halt = threading.Event()
        self._lanes: list[threading.Thread] = []

    def run_pending(self, stop: threading.Event | None = None) -> None:
        """Run every due job once, one after another, in the calling thread."""
        now = time.monotonic()
        for job in self.jobs:
            if stop is not None and stop.is_set():
                return
            if job.due(now):
                job.last_run = now
                run_job(import_string(job.path), job.path)

    def start(self) -> Scheduler:
        """Start the lanes in the background; ``stop()`` ends them."""
        self._halt.clear()
        self._lanes = [
            threading.Thread(target=self._lane, args=(job,), name=f"job {job.path}", daemon=True)
            for job in self.jobs
        ]
        for lane in self._lanes:
            lane.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the lanes to finish and wait for the job each may be running."""
        self._halt.set()
        for lane in self._lanes:
            lane.join(timeout)

    def run(self, stop: threading.Event, *, alive: Callable[[], bool] = lambda: True) -> None:
        """Run the lanes until ``stop`` is set or ``alive()`` turns false."""
        self.start()
        try:
            while not stop.wait(min(self.tick, 1.0)) and alive():
                pass
        finally:
            self.stop()

    def _lane(self, job: Job) -> None:
        try:
            while not self._halt.is_set():
                now = time.monotonic()
                if job.due(now):
                    job.last_run = now
                    run_job(import_string(job.path), job.path)
                    continue
                self._halt.wait(min(self.tick, job.last_run + job.every - now))
        finally:
            connection.close()  # Each lane opened its own connection.


def run_job(function: Callable[[], object], name: str) -> None:
    try:
        function()
    except Exception:
        logger.exception("scheduled job failed", extra={"job": name})
