"""`newsdesk serve`: gunicorn and the scheduler as two supervised processes.

    newsdesk serve (supervisor.py)
      ├── gunicorn master ── workers (the site)
      └── newsdesk scheduler (crawl due sources, prune hit data)

The scheduler runs in its own process, never in gunicorn's master: workers are
forked from the master, and a crawler there (threads, extraction processes,
open connections) would be forked into every worker. A crashed scheduler is
restarted with a growing pause; SIGTERM stops both.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable

from newsdesk.jobs.supervisor import Child, Supervisor

READY_TIMEOUT = 60.0


def web_command(
    *, bind: str, workers: int, threads: int, access_log: bool, forwarded_allow_ips: str = ""
) -> list[str]:
    """The gunicorn command line serving the site.

    ``forwarded_allow_ips`` lists the proxies gunicorn believes about the
    scheme (X-Forwarded-Proto); `newsdesk serve` passes NEWSDESK_TRUSTED_PROXIES,
    the same list Django's checks and the client-address function use.
    """
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    argv += ["--bind", bind, "--workers", str(workers), "--threads", str(threads)]
    argv += ["--worker-class", "gthread", "--graceful-timeout", "10"]
    argv += ["--forwarded-allow-ips", forwarded_allow_ips]
    if access_log:
        argv += ["--access-logfile", "-"]
    if _has_control_socket():
        # Recent gunicorn opens a control socket at one fixed path per user; the
        # supervisor speaks to it by signals, and two sites must not share it.
        argv += ["--no-control-socket"]
    return argv


def _has_control_socket() -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


def scheduler_command() -> list[str]:
    """The command line of the scheduler process."""
    return [sys.executable, "-m", "newsdesk.cli", "scheduler"]


def serve(
    *,
    bind: str,
    workers: int,
    threads: int,
    scheduler: bool,
    on_ready: Callable[[], None] | None = None,
    access_log: bool = True,
    forwarded_allow_ips: str = "",
) -> int:
    """Serve until SIGTERM; return the exit status. ``on_ready`` runs once the site answers."""
    web = web_command(
        bind=bind,
        workers=workers,
        threads=threads,
        access_log=access_log,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    children = [Child("web", web, restart=False)]
    if scheduler:
        children.append(Child("scheduler", scheduler_command(), restart=True))

    def started() -> None:
        if on_ready is not None:
            threading.Thread(target=_when_listening, args=(bind, on_ready), daemon=True).start()

    return Supervisor(children, on_started=started).run()


def _when_listening(bind: str, then: Callable[[], None]) -> None:
    """Call ``then`` once ``bind`` (host:port) accepts connections."""
    host, _, port = bind.rpartition(":")
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), 1):
                break
        except (OSError, ValueError):
            time.sleep(0.2)
    then()
