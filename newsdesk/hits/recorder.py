"""Record page views without slowing pages: classify, hash, queue; a thread stores batches.

``record_view()`` is the one entry point (the middleware and the beacon call
it). It never raises and never waits on the database, except for one salt
read per day and process. A daemon thread flushes the buffer every
NEWSDESK_HITS_FLUSH_SECONDS, or sooner once NEWSDESK_HITS_BATCH_SIZE hits
wait; a failed flush keeps its batch and retries with backoff. On exit
(atexit, and SIGTERM turned into a normal exit) the rest is flushed.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.http import HttpRequest
from django.urls import ResolverMatch
from django.utils import timezone

from newsdesk.core.clients import client_ip, may_be_signed_in
from newsdesk.core.urls import host_name
from newsdesk.hits.buffer import Hit, HitBuffer, MemoryBuffer, RedisBuffer
from newsdesk.hits.classify import classify_request
from newsdesk.hits.geo import country_of
from newsdesk.hits.models import PageKind
from newsdesk.hits.rollups import apply_batch, prune_salts
from newsdesk.hits.useragents import describe_user_agent
from newsdesk.visitors.ids import user_agent_of, visitor_for
from newsdesk.visitors.salts import salt_for

logger = logging.getLogger(__name__)

# URL names of the public site ("site" namespace) that count as page views.
COUNTABLE: dict[str, PageKind] = {
    "home": PageKind.HOME,
    "latest": PageKind.LATEST,
    "category": PageKind.CATEGORY,
    "article": PageKind.ARTICLE,
    "editor": PageKind.EDITOR,
    "search": PageKind.SEARCH,
}
MAX_BACKOFF_SECONDS = 30.0
# A batch failing this often for a reason other than an unreachable database is dropped.
MAX_POISON_ATTEMPTS = 5
EXIT_FLUSH_ATTEMPTS = 3
# Requests that queued their view just before exit get this long to finish sending it.
EXIT_GRACE_SECONDS = 0.3


@dataclass(frozen=True)
class Page:
    """A countable page: its kind, path and article."""

    kind: PageKind
    path: str
    article_id: int | None = None


def page_for(match: ResolverMatch | None, path: str) -> Page | None:
    """Return the countable page a resolved URL shows, or None for anything else."""
    if match is None or match.namespace != "site" or match.url_name not in COUNTABLE:
        return None
    kind = COUNTABLE[match.url_name]
    article_id = None
    if kind is PageKind.ARTICLE:
        try:
            article_id = int(match.kwargs["pk"])
        except (KeyError, TypeError, ValueError):
            return None
    return Page(kind=kind, path=path, article_id=article_id)


def now() -> datetime:
    """Return the current UTC time (tests replace it to cross midnight)."""
    return timezone.now()


def record_view(
    request: HttpRequest,
    page: Page,
    referrer: str | None = None,
    *,
    count_views: bool = True,
    count_filtered: bool = True,
    when: datetime | None = None,
) -> bool:
    """Queue a view of ``page`` (or a filtered request); return True when a reader was counted.

    Staff are never counted. ``referrer`` defaults to the Referer header (the
    beacon passes the page's own referrer). ``when`` defaults to now (the demo's
    simulated history passes earlier times). Any failure is logged, not raised.
    """
    try:
        if not settings.NEWSDESK_HITS_ENABLED or _is_staff(request):
            return False
        when = when or now()
        verdict = classify_request(request)
        if not verdict.human:
            if count_filtered and verdict.reason is not None:
                _enqueue(Hit(ts=when, reason=verdict.reason))
            return False
        if not count_views:
            return False
        _enqueue(_view_hit(request, page, when, referrer))
        return True
    except Exception:
        logger.exception("recording a view failed", extra={"path": page.path})
        return False


def count_page_view(request: HttpRequest, page: Page) -> bool:
    """Count a page served to ``request``, rendered or from the page cache (never raises).

    In beacon mode (NEWSDESK_HITS_BEACON) a reverse-proxy cache may answer
    instead of us, so readers are counted by the beacon the page sends; only
    filtered requests are counted here, which the beacon then skips.
    """
    return record_view(request, page, count_views=not settings.NEWSDESK_HITS_BEACON)


def _is_staff(request: HttpRequest) -> bool:
    if not may_be_signed_in(request):
        return False  # without opening the session, which would add Vary: Cookie
    user = getattr(request, "user", None)
    return bool(user is not None and getattr(user, "is_staff", False))


def _view_hit(request: HttpRequest, page: Page, when: datetime, referrer: str | None) -> Hit:
    user_agent = user_agent_of(request)
    ip = client_ip(request)
    agent = describe_user_agent(user_agent)
    if referrer is None:
        referrer = request.headers.get("Referer", "")
    return Hit(
        ts=when,
        kind=page.kind,
        path=page.path[:500],
        article_id=page.article_id,
        visitor=visitor_for(request, when),
        referrer_host=referrer_host(referrer, request),
        device=agent.device,
        browser=agent.browser,
        country=country_of(ip),
    )


def referrer_host(referrer: str, request: HttpRequest) -> str:
    """Return the referring host without "www.", or "" when absent, not a host name or ourselves.

    The Referer header is written by the client: only a valid DNS name (LDH/IDNA)
    reaches the dashboard, never text with spaces, markup or a path.
    """
    if not referrer.strip():
        return ""  # most views: nothing to check, no host to compare with ours
    try:
        host = host_name(urlsplit(referrer.strip()).hostname or "")
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    own = {
        request.get_host().rsplit(":", 1)[0].lower().removeprefix("www."),
        (urlsplit(settings.NEWSDESK_SITE_URL).hostname or "").lower().removeprefix("www."),
    }
    return "" if host in own else host[:255]


# -- the buffer ---------------------------------------------------------------

_state_lock = threading.Lock()
_buffer: HitBuffer | None = None
# Appends pass through this gate; the final flush at exit closes it for good,
# so no response is sent for a view that can no longer be stored.
_gate = threading.Lock()
_flush_lock = threading.Lock()


def get_buffer() -> HitBuffer:
    """Return this process's buffer: Redis when NEWSDESK_REDIS_URL is set, else memory."""
    global _buffer
    if _buffer is None:
        with _state_lock:
            if _buffer is None:
                limit = settings.NEWSDESK_HITS_BUFFER_MAX
                url = settings.NEWSDESK_REDIS_URL
                _buffer = RedisBuffer(url, limit) if url else MemoryBuffer(limit)
    return _buffer


def use_buffer(buffer: HitBuffer | None) -> None:
    """Replace the buffer (None: build it again from settings on next use)."""
    global _buffer
    with _state_lock:
        _buffer = buffer


def _enqueue(hit: Hit) -> None:
    if not _gate.acquire(timeout=5):
        logger.warning("hit dropped while shutting down")
        return
    try:
        waiting = get_buffer().append(hit)
    finally:
        _gate.release()
    flusher = _running_flusher()
    if flusher is not None and waiting >= settings.NEWSDESK_HITS_BATCH_SIZE:
        flusher.wake.set()


def flush_now() -> int:
    """Store everything waiting, in batches; return the number of hits stored.

    Raises the database error of a failed batch, which stays queued.
    """
    with _flush_lock:
        buffer = get_buffer()
        stored = 0
        while True:
            batch = buffer.take(settings.NEWSDESK_HITS_BATCH_SIZE)
            if not batch:
                return stored
            apply_batch(batch)
            buffer.ack()
            stored += len(batch)


def discard_pending() -> None:
    """Drop every queued hit (tests start from an empty buffer)."""
    with _flush_lock:
        get_buffer().clear()


# -- the flusher thread ---------------------------------------------------------


class Flusher:
    """A daemon thread storing the buffer periodically, backing off while the database fails."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.failures = 0
        self.last_salt_prune = 0.0
        self.thread = threading.Thread(target=self.run, name="hits-flusher", daemon=True)

    def run(self) -> None:
        delay = float(settings.NEWSDESK_HITS_FLUSH_SECONDS)
        try:
            while not self.stop.is_set():
                if self.failures:
                    self.stop.wait(delay)  # back off: an early wake would hammer the database
                else:
                    self.wake.wait(delay)
                self.wake.clear()
                delay = self.flush_once()
        finally:
            connection.close()  # this thread's own connection

    def flush_once(self) -> float:
        """Flush; return the seconds to wait before the next attempt."""
        interval = max(0.05, float(settings.NEWSDESK_HITS_FLUSH_SECONDS))
        try:
            flush_now()
            self.failures = 0
            self._prune_salts_hourly()
            return interval
        except Exception as exc:
            self.failures += 1
            unreachable = isinstance(exc, OperationalError | InterfaceError)
            logger.warning(
                "hit flush failed, batch kept",
                extra={"failures": self.failures, "error": repr(exc)},
                exc_info=not unreachable,
            )
            if not unreachable and self.failures >= MAX_POISON_ATTEMPTS:
                self._drop_batch()
            return min(interval * 2**self.failures, MAX_BACKOFF_SECONDS)
        finally:
            close_old_connections()

    def _drop_batch(self) -> None:
        with _flush_lock:
            lost = len(get_buffer().take(0))
            get_buffer().ack()
        logger.error("hit batch dropped after repeated failures", extra={"hits": lost})
        self.failures = 0

    def _prune_salts_hourly(self) -> None:
        if time.monotonic() - self.last_salt_prune < 3600:
            return
        self.last_salt_prune = time.monotonic()
        prune_salts()
        salt_for(now().date())  # ready before the first view of the day needs it


_flusher: Flusher | None = None
_flusher_pid = 0


def _running_flusher() -> Flusher | None:
    """Return this process's flusher, starting it on first use outside tests."""
    if _flusher is not None and _flusher_pid == os.getpid():
        return _flusher
    if getattr(settings, "TESTING", False) or settings.NEWSDESK_HITS_FLUSH_SECONDS <= 0:
        return None
    return start_flusher()


def start_flusher() -> Flusher:
    """Start the background flusher of this process (idempotent) and the exit hooks."""
    global _flusher, _flusher_pid
    with _state_lock:
        if _flusher is None or _flusher_pid != os.getpid():
            _flusher = Flusher()
            _flusher_pid = os.getpid()
            _flusher.thread.start()
        flusher = _flusher
    install_shutdown_hooks()
    return flusher


def stop_flusher() -> None:
    """Stop the background flusher (it finishes the batch in hand)."""
    global _flusher
    with _state_lock:
        flusher, _flusher = _flusher, None
    if flusher is not None:
        flusher.stop.set()
        flusher.wake.set()
        flusher.thread.join(timeout=10)


# -- shutdown ---------------------------------------------------------------------

_hooks_installed = False


def install_shutdown_hooks() -> None:
    """Flush at interpreter exit, and make SIGTERM exit normally (so that exit flushes).

    A previous Python SIGTERM handler (gunicorn's graceful stop) is called as
    before: the worker then finishes its requests and exits, and atexit flushes.
    The default action would kill the process without running atexit, so it is
    replaced by a normal exit. Signals can only be set from the main thread;
    elsewhere (Django's autoreloader) only the atexit hook is installed.
    """
    global _hooks_installed
    with _state_lock:
        if _hooks_installed:
            return
        _hooks_installed = True
    atexit.register(_flush_at_exit)
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum: int, frame: FrameType | None) -> Any:
        if callable(previous):
            return previous(signum, frame)
        if previous == signal.SIG_IGN:
            return None
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)


def _flush_at_exit() -> None:
    """Close the gate for appends and store what is left, retrying briefly."""
    if not _gate.acquire(timeout=10):
        logger.error("hit gate stuck at exit; flushing anyway")
    if _flusher is not None:
        _flusher.stop.set()
        # Only a process that serves pages (its flusher runs) has requests in flight.
        time.sleep(EXIT_GRACE_SECONDS)
    for attempt in range(EXIT_FLUSH_ATTEMPTS):
        try:
            flush_now()
            return
        except Exception:
            logger.warning("hit flush at exit failed", extra={"attempt": attempt}, exc_info=True)
            close_old_connections()
            time.sleep(0.5 * (attempt + 1))
    logger.error("hits lost at exit", extra={"pending": get_buffer().pending()})


def _reset_after_fork() -> None:
    # A forked worker must not flush its parent's queue a second time, nor
    # inherit a lock some parent thread held at the moment of the fork.
    global _flusher, _gate, _flush_lock, _state_lock
    _flusher = None
    _gate, _flush_lock, _state_lock = threading.Lock(), threading.Lock(), threading.Lock()
    if isinstance(_buffer, MemoryBuffer):
        _buffer.clear()


os.register_at_fork(after_in_child=_reset_after_fork)
