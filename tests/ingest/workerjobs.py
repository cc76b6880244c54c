"""Page jobs for extraction workers that misbehave on purpose (test-only hooks).

A PagePool runs whatever job it is given; production code always gives it
``extract_in_worker``. These live under tests/ so nothing outside the suite
can ask a worker to crash.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from newsdesk.ingest.pagepool import extract_in_worker
from newsdesk.ingest.types import ExtractedPage

# A URL containing one of these words makes the worker misbehave on that page.
CRASHES = {
    "crash-segv": signal.SIGSEGV,
    "crash-abort": signal.SIGABRT,
    "crash-kill": signal.SIGKILL,
}


def misbehave_on_marked_pages(html: bytes, url: str, options: dict[str, Any]) -> ExtractedPage:
    """Crash (by signal) or hang on pages whose URL says so; extract the others."""
    for word, signum in CRASHES.items():
        if word in url:
            if signum != signal.SIGKILL:
                # The default action ends the process, as a native crash does.
                signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            time.sleep(60)
    if "hang" in url:
        time.sleep(3600)
    return extract_in_worker(html, url, options)


def worker_pid(html: bytes, url: str, options: dict[str, Any]) -> ExtractedPage:
    """Report which process ran the job, to watch workers being replaced."""
    return ExtractedPage(html="", text=str(os.getpid()))
