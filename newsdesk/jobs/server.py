"""Run gunicorn in-process, optionally with the scheduler in its master process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from gunicorn.app.base import BaseApplication

from newsdesk.jobs.scheduler import Scheduler


class NewsdeskServer(BaseApplication):
    """gunicorn application configured from keyword options instead of a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from config.wsgi import application

        return application


def serve(
    *,
    bind: str,
    workers: int,
    threads: int,
    scheduler: bool,
    on_ready: Callable[[], None] | None = None,
    access_log: bool = True,
    forwarded_allow_ips: str = "",
) -> None:
    """Serve until stopped; the scheduler thread lives in the gunicorn master.

    ``forwarded_allow_ips`` lists the proxies gunicorn believes about the
    scheme (X-Forwarded-Proto); `newsdesk serve` passes NEWSDESK_TRUSTED_PROXIES,
    the same list Django's checks and the client-address function use.
    """
    running: list[Scheduler] = []

    def when_ready(_server: object) -> None:
        if scheduler:
            running.append(Scheduler().start())
        if on_ready is not None:
            on_ready()

    def on_exit(_server: object) -> None:
        for job_runner in running:
            job_runner.stop()

    # Workers are forked: never hand them the master's open database sockets.
    connections.close_all()
    NewsdeskServer(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-" if access_log else None,
            "graceful_timeout": 10,
            "forwarded_allow_ips": forwarded_allow_ips,
            "when_ready": when_ready,
            "on_exit": on_exit,
        }
    ).run()
