"""Run child processes side by side: restart the ones that may be restarted, stop all on SIGTERM.

`newsdesk serve` runs gunicorn and the scheduler as two children of one small
supervising process, so a crash in either never takes the other down and the
scheduler's threads never live in gunicorn's master (whose workers are forked
from it). What happens when a child ends:

- the scheduler (``restart=True``): started again after a pause that doubles
  from 1 s up to a minute, and falls back to 1 s once a child ran a minute;
- gunicorn (``restart=False``): everything stops and the supervisor exits
  with gunicorn's exit status, so the init system (systemd...) sees it.

SIGTERM, SIGINT or SIGHUP to the supervisor sends SIGTERM to every child,
waits up to ``grace`` seconds, kills what is left, and exits 0.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
# A child that ran this long is healthy again: its next restart is quick.
HEALTHY_AFTER = 60.0
POLL = 0.2


@dataclass
class Child:
    """A command to keep running: its process, and when it may be started again."""

    name: str
    argv: Sequence[str]
    restart: bool
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    next_start: float = 0.0
    restarts: int = field(default=0)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


class Supervisor:
    """Start ``children``, watch them, and stop them all on a signal or when a vital one ends."""

    def __init__(
        self,
        children: Sequence[Child],
        *,
        env: dict[str, str] | None = None,
        grace: float = 15.0,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        self.children = list(children)
        self.env = env
        self.grace = grace
        self.on_started = on_started
        self._stop = threading.Event()
        self._signal = 0

    def run(self) -> int:
        """Supervise until stopped; return the exit status for the supervisor."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        try:
            for child in self.children:
                self._start(child)
            if self.on_started is not None:
                self.on_started()
            return self._watch()
        finally:
            self._stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def stop(self) -> None:
        """Ask the supervisor to stop its children and return (as SIGTERM does)."""
        self._stop.set()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signal = signum
        self._stop.set()

    def _watch(self) -> int:
        while not self._stop.wait(POLL):
            now = time.monotonic()
            for child in self.children:
                if child.process is None:
                    if now >= child.next_start:
                        self._start(child)
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                if not child.restart:
                    logger.error(
                        "child exited; stopping", extra={"child": child.name, "code": code}
                    )
                    return code or 1
                self._schedule_restart(child, code, now)
        logger.info("stopping", extra={"signal": self._signal})
        return 0

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(child.argv, env=self.env)
        child.started_at = time.monotonic()
        logger.info("child started", extra={"child": child.name, "pid": child.process.pid})

    def _schedule_restart(self, child: Child, code: int, now: float) -> None:
        if now - child.started_at >= HEALTHY_AFTER:
            child.backoff = FIRST_BACKOFF
        child.process = None
        child.next_start = now + child.backoff
        child.restarts += 1
        logger.warning(
            "child exited; restarting",
            extra={"child": child.name, "code": code, "in_seconds": child.backoff},
        )
        child.backoff = min(child.backoff * 2, MAX_BACKOFF)

    def _stop_all(self) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("child did not stop in time; killing", extra={"pid": process.pid})
                process.kill()
                process.wait()
