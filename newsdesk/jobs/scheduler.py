"""The in-process scheduler: crawls due sources and runs periodic upkeep.

`newsdesk serve` runs it in a background thread; a larger deployment turns it
off (NEWSDESK_SCHEDULER=false) and runs `newsdesk crawl` as its own process.
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
    from newsdesk.ingest.pipeline import crawl, due_sources

    return len(crawl(due_sources()))


DEFAULT_JOBS: tuple[tuple[str, float], ...] = (
    ("newsdesk.jobs.scheduler.crawl_due_sources", 30.0),
    # Raw views past their retention and day salts past 24 hours are deleted.
    ("newsdesk.hits.rollups.prune_hits", 3600.0),
    ("newsdesk.stories.stage.understand_new_articles", 5.0),
)


class Scheduler:
    """Run jobs in one daemon thread until stopped; a failing job never stops the others."""

    def __init__(self, jobs: tuple[tuple[str, float], ...] = DEFAULT_JOBS, tick: float = 5.0):
        self.jobs = [Job(path, every) for path, every in jobs]
        self.tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="newsdesk-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_pending(self) -> None:
        now = time.monotonic()
        for job in self.jobs:
            if job.due(now):
                job.last_run = now
                run_job(import_string(job.path), job.path)

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                self.run_pending()
                self._stop.wait(self.tick)
        finally:
            connection.close()


def run_job(function: Callable[[], object], name: str) -> None:
    try:
        function()
    except Exception:
        logger.exception("scheduled job failed", extra={"job": name})
