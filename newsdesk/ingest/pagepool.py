"""Extract article pages in worker processes, so a native crash costs one page.

trafilatura and lxml are C code that can crash the whole process (SIGSEGV,
SIGABRT "corrupted size vs. prev_size") when several threads extract at once
(adbar/trafilatura#840, #925). The crawler's threads therefore only fetch and
store; every page goes to a pool of worker processes (pebble's ProcessPool)::

    crawl thread --(page bytes, URL, entry)--> worker process: extract_article(),
                                                   assemble_article()
                 <--ExtractedPage (with its PreparedArticle) | ExtractError | WorkerError--

Assembling (sanitizing, clutter, language, summary) runs beside the extraction
too: it is CPU work on the page alone, and the crawler's single process, which
must fetch and store for every worker, would otherwise do it for all of them.

- The pool has NEWSDESK_EXTRACT_PROCESSES workers (0: one per CPU), each
  replaced after NEWSDESK_EXTRACT_MAX_PAGES pages so that a leak in a C
  library cannot grow for ever.
- A worker that dies (a signal, or ``os._exit``) or runs past
  NEWSDESK_EXTRACT_TIMEOUT seconds on one page fails that page with
  WorkerError; pebble starts a new worker and the crawl goes on.
- Workers are started by the ``forkserver`` method (``spawn`` where there is
  none), never by a bare ``fork``: the crawler has threads (fetch workers, the
  hit buffer, pebble's own) and open database and HTTP sockets, and a forked
  child would inherit locks held by those threads at the moment of the fork
  (a deadlock waiting to happen) and share the sockets' protocol state. The
  fork server is a fresh single-threaded interpreter that has imported
  trafilatura and, when the workers assemble, loaded the language model once
  (``set_forkserver_preload``, pageworker.py), so new workers start in
  milliseconds without loading either again, as ``spawn`` would for each.
- The pool is started on first use and shut down at exit (or by
  ``shutdown_page_pool()``); a process that forks after starting it (a
  gunicorn worker) builds its own instead of using its parent's.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from django.conf import settings
from pebble import ProcessExpired, ProcessPool

from newsdesk.ingest.assemble import EntryContext
from newsdesk.ingest.errors import ExtractError, WorkerError
from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.types import ExtractedPage, PreparedArticle

logger = logging.getLogger(__name__)

# What a worker runs for one page: (page bytes, URL, extra keyword arguments).
PageJob = Callable[[bytes, str, dict[str, Any]], ExtractedPage]


def extract_in_worker(html: bytes, url: str, options: dict[str, Any]) -> ExtractedPage:
    """Extract one page inside a worker process; any failure becomes ExtractError.

    With an ``entry`` option (an EntryContext), the entry is also assembled with
    the page, into ``page.article``.
    """
    options = dict(options)
    entry: EntryContext | None = options.pop("entry", None)
    try:
        page = extract_article(html, url=url, **options)
    except ExtractError:
        raise
    except Exception as error:
        # Only exceptions that pickle simply may cross back to the crawler.
        raise ExtractError(f"extraction failed: {type(error).__name__}: {error}") from None
    if entry is not None:
        page.article = _assemble_quietly(entry, page)
    return page


def _assemble_quietly(entry: EntryContext, page: ExtractedPage) -> PreparedArticle | None:
    # A failure here is the entry's, not the page's: the crawler assembles again
    # and records the error on the entry, as it would without a worker.
    try:
        return entry.assemble(page)
    except Exception:
        return None


def start_method() -> str:
    """Name the safest start method this platform offers (see the module docstring)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def pool_context(*, assembling: bool = True) -> BaseContext:
    """The start method's context; its fork server preloads what ``assembling`` workers need."""
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        # Workers forked by the server find trafilatura and lxml loaded, and the
        # language model when they assemble: only assembling detects a language,
        # and the model costs about 0.4 s of CPU to load.
        model = ["newsdesk.ingest.pageworker"] if assembling else []
        context.set_forkserver_preload([__name__, *model])
    return context


def default_processes() -> int:
    """Return NEWSDESK_EXTRACT_PROCESSES, where 0 means one per usable CPU."""
    configured = int(settings.NEWSDESK_EXTRACT_PROCESSES)
    if configured > 0:
        return configured
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def describe_exit(code: int | None) -> str:
    """Say how a worker ended: "SIGSEGV" for -11, "exit code 3" for 3."""
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class PagePool:
    """A pool of extraction worker processes, started on first use.

    ``job`` is the function the workers run for each page; only tests pass
    another one (to crash or hang a worker on purpose).
    """

    def __init__(
        self,
        *,
        processes: int | None = None,
        max_pages: int | None = None,
        timeout: float | None = None,
        job: PageJob = extract_in_worker,
    ) -> None:
        self.processes = processes or default_processes()
        self.max_pages = int(
            max_pages if max_pages is not None else settings.NEWSDESK_EXTRACT_MAX_PAGES
        )
        self.timeout = float(timeout if timeout is not None else settings.NEWSDESK_EXTRACT_TIMEOUT)
        self._job = job
        self._lock = threading.Lock()
        self._pool: ProcessPool | None = None
        self._owner = os.getpid()

    @property
    def assembles(self) -> bool:
        """Tell whether the workers should assemble entries with their pages.

        Not when there is only one: its core is then the crawl's bottleneck and the
        crawler's has room (crawl bench, one process: 0.78x bare trafilatura against
        0.73x with the lone worker assembling too).
        """
        return self.processes > 1

    def extract(self, html: bytes, *, url: str, **options: Any) -> ExtractedPage:
        """Extract ``html`` in a worker; raise ExtractError, or WorkerError if the worker died."""
        pool = self._running_pool()
        try:
            return self._run(pool, html, url, options)
        except BrokenProcessPool:
            # Every worker died at once (an idle one killed from outside breaks
            # pebble's pool): start afresh and give the page one more chance.
            logger.warning("extraction pool broken; restarting it", extra={"url": url})
            self._discard(pool)
            try:
                return self._run(self._running_pool(), html, url, options)
            except BrokenProcessPool as error:
                raise WorkerError(f"extraction pool unavailable: {error}") from error

    def warm(self) -> None:
        """Start the workers now, without waiting: they load trafilatura while the caller works."""
        pool = self._running_pool()
        for _ in range(self.processes):
            pool.schedule(os.getpid)

    def _run(
        self, pool: ProcessPool, html: bytes, url: str, options: dict[str, Any]
    ) -> ExtractedPage:
        try:
            future = pool.schedule(self._job, args=(html, url, options), timeout=self.timeout)
        except RuntimeError as error:
            # The pool was closed or broke between the check and the call.
            raise BrokenProcessPool(str(error)) from error
        try:
            page: ExtractedPage = future.result()
            return page
        except FutureTimeout as error:
            raise WorkerError(
                f"extraction took longer than {self.timeout:g} s; worker stopped"
            ) from error
        except ProcessExpired as error:
            raise WorkerError(
                f"extraction worker died ({describe_exit(error.exitcode)})"
            ) from error

    def _running_pool(self) -> ProcessPool:
        with self._lock:
            if os.getpid() != self._owner:
                # Forked after the pool started: the parent's workers are not ours.
                self._pool, self._owner = None, os.getpid()
            if self._pool is None:
                self._pool = ProcessPool(
                    max_workers=self.processes,
                    max_tasks=self.max_pages,
                    context=pool_context(assembling=self.assembles),
                )
                logger.info(
                    "extraction pool started",
                    extra={"processes": self.processes, "method": start_method()},
                )
            return self._pool

    def _discard(self, broken: ProcessPool) -> None:
        """Drop ``broken``, unless another thread already replaced it."""
        with self._lock:
            if self._pool is not broken:
                return
            self._pool = None
        broken.stop()
        broken.join()

    def close(self) -> None:
        """Stop the workers (the page in hand, if any, is abandoned)."""
        with self._lock:
            pool, self._pool = self._pool, None
            owned = os.getpid() == self._owner
        if pool is not None and owned:
            pool.close()
            try:
                pool.join(timeout=self.timeout)
            except TimeoutError:
                pool.stop()
                pool.join()

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_shared: PagePool | None = None
_shared_lock = threading.Lock()


def page_pool() -> PagePool:
    """Return the process's shared pool, creating it (not yet its workers) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PagePool()
            atexit.register(shutdown_page_pool)
        return _shared


def shutdown_page_pool() -> None:
    """Stop the shared pool's workers; the next page_pool() call starts a new pool."""
    global _shared
    with _shared_lock:
        pool, _shared = _shared, None
    if pool is not None:
        pool.close()
