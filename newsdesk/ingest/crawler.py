"""Crawl many sources at once: hosts in parallel, one request at a time per host.

A crawl is a set of units, each one request: a source's feed, or one article
page of a feed. Units wait in a HostQueue keyed by the host they fetch from;
NEWSDESK_FETCH_WORKERS threads take units whose host is free, fetch, give
the host back at once, then parse or extract (extraction runs in the worker
processes of pagepool.py) and store. So a slow host keeps one thread busy, not
all of them, and while one page is extracted the next request already runs.

A source's page units go to the front of their host's queue, so sources
finish one after another instead of all at the end; when a source's last unit
is done its outcome is recorded and ``on_done`` is called.

``stop_crawls()`` (the scheduler's SIGTERM) makes running crawls finish the
requests in hand and return; a source cut short records nothing, so it stays
due and its remaining entries are fetched next time. A crawl given a
``budget`` (seconds; staff's "fetch now", which runs in a web request) does
the same once the budget is spent: units not yet started are skipped.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.hostqueue import HostQueue
from newsdesk.ingest.pagepool import PagePool, page_pool
from newsdesk.ingest.pipeline import (
    PageJob,
    RefreshResult,
    RefreshRun,
    fetch_feed,
    fetch_page,
    finish_page,
    finish_refresh,
    finish_unchanged,
    host_of,
    is_unchanged,
    plan_entries,
    record_crash,
)
from newsdesk.sources.models import Source

logger = logging.getLogger(__name__)

# Unchanged (304) sources recorded together, in one batched write per this many.
UNCHANGED_BATCH = 100

_stopping = threading.Event()
_shared: tuple[int, Fetcher] | None = None
_shared_lock = threading.Lock()


def stop_crawls() -> None:
    """Make every crawl of this process return after the requests in hand."""
    _stopping.set()


def shared_fetcher() -> Fetcher:
    """The process's long-lived fetcher, shared by its crawls (and Celery tasks).

    One fetcher per process keeps robots.txt verdicts for their TTL and each
    host's last request time from one crawl to the next, and reuses
    connections; a new one per crawl would ask every host for robots.txt again
    every 30 seconds. A process forked after making it makes its own.
    """
    global _shared
    with _shared_lock:
        if _shared is None or _shared[0] != os.getpid():
            _shared = (os.getpid(), Fetcher())
        return _shared[1]


def reset_shared_fetcher() -> None:
    """Close the shared fetcher; the next crawl starts a fresh one (tests, settings changes)."""
    global _shared
    with _shared_lock:
        previous, _shared = _shared, None
    if previous is not None and previous[0] == os.getpid():
        previous[1].close()


@dataclass
class _Feed:
    source: Source


@dataclass
class _Page:
    job: PageJob
    run: RefreshRun


_Unit = _Feed | _Page


def crawl(
    sources: Iterable[Source],
    *,
    workers: int | None = None,
    on_done: Callable[[RefreshResult], None] | None = None,
    pages: PagePool | None = None,
    fetcher: Fetcher | None = None,
    budget: float | None = None,
) -> list[RefreshResult]:
    """Refresh ``sources``, hosts in parallel; return one result per source finished.

    With ``budget``, start no request after that many seconds: a source not
    finished by then has no result and records nothing.
    """
    threads = max(1, workers or settings.NEWSDESK_FETCH_WORKERS)
    if connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith("file:"):
        threads = 1  # An in-memory test database cannot take writers from several threads.
    run = Crawl(fetcher or shared_fetcher(), pages or page_pool(), on_done)
    if budget is not None:
        run.stop_at = time.monotonic() + budget
    for source in sources:
        run.add(source)
    run.run(threads)
    return run.results


class Crawl:
    """One crawl's queue of units, its worker threads and its results."""

    def __init__(
        self,
        fetcher: Fetcher,
        pages: PagePool,
        on_done: Callable[[RefreshResult], None] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.pages = pages
        self.on_done = on_done
        self.queue: HostQueue[_Unit] = HostQueue(float(settings.NEWSDESK_FETCH_HOST_DELAY))
        self.results: list[RefreshResult] = []
        self._lock = threading.Lock()
        self._pending: dict[int, int] = {}  # units left per RefreshRun (by id)
        self._unchanged: list[RefreshRun] = []  # 304s not yet recorded (_record_unchanged)
        self.stop_at: float | None = None  # time.monotonic() after which no unit starts

    def add(self, source: Source) -> None:
        self.queue.put(host_of(source.feed_url), _Feed(source))

    def run(self, threads: int) -> None:
        """Work through every unit with ``threads`` threads (the caller's own when 1)."""
        try:
            self._run_threads(threads)
        finally:
            with self._lock:
                rest, self._unchanged = self._unchanged, []
            self._record_unchanged(rest)

    def _run_threads(self, threads: int) -> None:
        if threads == 1:
            self._work()
            return
        pool = [
            threading.Thread(target=self._work_in_thread, name=f"crawl-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()

    def _work_in_thread(self) -> None:
        try:
            self._work()
        finally:
            connection.close()  # Each thread opened its own connection.

    def _work(self) -> None:
        while (taken := self.queue.take()) is not None:
            host, unit = taken
            try:
                if _stopping.is_set() or self._out_of_time():
                    self._skip(unit)
                elif isinstance(unit, _Feed):
                    self._feed(host, unit.source)
                else:
                    self._page(host, unit)
            finally:
                self.queue.release(host)
                self.queue.done()

    def _out_of_time(self) -> bool:
        return self.stop_at is not None and time.monotonic() >= self.stop_at

    def _skip(self, unit: _Unit) -> None:
        if isinstance(unit, _Page):
            unit.run.interrupted = True
            self._unit_done(unit.run)

    def _feed(self, host: str, source: Source) -> None:
        try:
            run = fetch_feed(source, self.fetcher)
            self.queue.release(host)
            if run.response is not None and run.result.ok and not run.response.not_modified:
                plan_entries(run, self.fetcher)
        except Exception as error:
            # Never let one source's bug stop the crawl; store it like any failure.
            self._finish(record_crash(source, error))
            return
        with self._lock:
            self._pending[id(run)] = len(run.pages) + 1
        for job in run.pages:
            self.queue.put(job.host, _Page(job, run), first=True)
        self._unit_done(run)

    def _page(self, host: str, unit: _Page) -> None:
        try:
            response, error = fetch_page(unit.job, self.fetcher)
            self.queue.release(host)
            outcome = finish_page(
                unit.job, response, error, self.fetcher, self.pages, unit.run.result
            )
        except Exception:
            logger.exception("page crashed", extra={"url": unit.job.entry.url})
            outcome = "failed_entries"
        with self._lock:
            unit.run.result.count(outcome)
        self._unit_done(unit.run)

    def _unit_done(self, run: RefreshRun) -> None:
        with self._lock:
            self._pending[id(run)] -= 1
            last = self._pending[id(run)] == 0
        if not last or run.interrupted:
            return
        if is_unchanged(run):
            with self._lock:
                self._unchanged.append(run)
                batch: list[RefreshRun] = []
                if len(self._unchanged) >= UNCHANGED_BATCH:
                    batch, self._unchanged = self._unchanged, []
            self._record_unchanged(batch)
            return
        self._finish_run(run)

    def _record_unchanged(self, runs: list[RefreshRun]) -> None:
        """Record a batch of 304s in one write; if that fails, each on its own."""
        if not runs:
            return
        try:
            results = finish_unchanged(runs)
        except Exception:
            logger.exception("batched record of unchanged sources failed; recording one by one")
            for run in runs:
                self._finish_run(run)
            return
        for result in results:
            self._finish(result)

    def _finish_run(self, run: RefreshRun) -> None:
        try:
            result = finish_refresh(run)
        except Exception as error:
            result = record_crash(run.source, error)
        self._finish(result)

    def _finish(self, result: RefreshResult) -> None:
        with self._lock:
            self.results.append(result)
            if self.on_done is None:
                return
            try:
                self.on_done(result)
            except Exception:
                logger.exception("crawl progress callback failed")
