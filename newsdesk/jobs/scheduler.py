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
    """Run due jobs every ``tick`` seconds until stopped; a failing job never stops the others."""

    def __init__(self, jobs: tuple[tuple[str, float], ...] = DEFAULT_JOBS, tick: float = 5.0):
        self.jobs = [Job(path, every) for path, every in jobs]
        self.tick = tick

    def run_pending(self, stop: threading.Event | None = None) -> None:
        now = time.monotonic()
        for job in self.jobs:
            if stop is not None and stop.is_set():
                return
            if job.due(now):
                job.last_run = now
                run_job(import_string(job.path), job.path)

    def run(self, stop: threading.Event, *, alive: Callable[[], bool] = lambda: True) -> None:
        """Run jobs in the calling thread until ``stop`` is set or ``alive()`` turns false."""
        try:
            while not stop.is_set() and alive():
                self.run_pending(stop)
                stop.wait(self.tick)
        finally:
            connection.close()


def run_job(function: Callable[[], object], name: str) -> None:
    try:
        function()
    except Exception:
        logger.exception("scheduled job failed", extra={"job": name})
