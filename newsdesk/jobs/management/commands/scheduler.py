"""`newsdesk scheduler`: crawl due sources and prune hit data until stopped.

`newsdesk serve` starts this as its own process beside gunicorn; run it alone
(with `NEWSDESK_SCHEDULER=false newsdesk serve`) when web and crawler live apart.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from newsdesk.ingest.crawler import stop_crawls
from newsdesk.ingest.pagepool import shutdown_page_pool
from newsdesk.jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = "Run the in-process jobs (crawl due sources, prune hit data) until SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        parent = os.getppid()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()
            stop_crawls()  # a crawl in progress finishes the requests in hand, then returns

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        try:
            # Stop as well when the supervisor is gone (killed without a chance to say so).
            Scheduler(tick=options["tick"]).run(stop, alive=lambda: os.getppid() == parent)
        finally:
            shutdown_page_pool()
