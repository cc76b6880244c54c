"""Prepare the stage's next batch in a helper process while this one places the current batch.

Tokenising, fingerprinting (shingles, MinHash, band buckets) and counting terms
depend on an article's own text only, and were a third of the stage's CPU. The
stage hands each batch's ``ArticleItem`` values to one helper process (the
machine's other core) one batch ahead, and places a batch with what came back;
the helper never touches the database, so the stage stays its only writer.

Anything that goes wrong with the helper (no child processes allowed, as in a
daemonic Celery worker; a crash; a timeout) costs nothing but speed: the stage
prepares what is missing itself (``Understander.place`` does), and stops using
the helper after a failure to start one.

    Preparer.submit(items) -> Ahead -> Preparer.collect(ahead) -> {article id: Prepared}
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from newsdesk.stories.types import ArticleItem
from newsdesk.stories.understand import Prepared, prepare_all

logger = logging.getLogger(__name__)

# Below this many articles a batch is prepared in process: sending it costs about as
# much as preparing it, and the stage's usual run (a few new articles) needs no helper.
MIN_BATCH = 100
# A batch of 500 takes the helper a fraction of a second; past this something is wrong.
RESULT_TIMEOUT = 60.0


@dataclass
class Ahead:
    """A batch sent to the helper, or kept to prepare in process (``future`` None)."""

    items: list[ArticleItem]
    future: Future[dict[int, Prepared]] | None = None


class Preparer:
    """One helper process, started on first use and kept for the life of this process."""

    def __init__(self, min_batch: int = MIN_BATCH) -> None:
        self.min_batch = min_batch
        self._pool: ProcessPoolExecutor | None = None
        self._refused = False
        self._lock = threading.Lock()

    def submit(self, items: list[ArticleItem]) -> Ahead:
        """Start preparing ``items`` in the helper, when it is worth it and possible."""
        if len(items) < self.min_batch or self._refused:
            return Ahead(items)
        with self._lock:
            try:
                if self._pool is None:
                    # spawn, not the crawler's fork server: its preloaded modules are
                    # chosen when it starts, and this helper must not start it first.
                    context = multiprocessing.get_context("spawn")
                    self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
                return Ahead(items, self._pool.submit(prepare_all, items))
            except Exception:  # Any failure to start one means: prepare in process.
                logger.warning("understand helper unavailable; preparing in process", exc_info=True)
                self._refused = True
                self._shutdown()
                return Ahead(items)

    def collect(self, ahead: Ahead) -> dict[int, Prepared]:
        """Return what the helper prepared for a batch ({} when it prepared nothing)."""
        if ahead.future is None:
            return {}
        try:
            return ahead.future.result(timeout=RESULT_TIMEOUT)
        except Exception:  # A lost helper costs speed, never a placement.
            logger.warning("understand helper failed; preparing in process", exc_info=True)
            with self._lock:
                self._shutdown()
            return {}

    def close(self) -> None:
        """Stop the helper process (a new one starts on the next large batch)."""
        with self._lock:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
