"""Launching Debian's Chromium for browser tests, confined to the loopback.

Playwright drives ``/usr/bin/chromium``; no test downloads a browser. Every request
to a host other than the loopback is aborted, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# A desktop Chrome User-Agent: the tracker rightly filters "HeadlessChrome" as a bot.
READER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
LOOPBACK = {"127.0.0.1", "localhost"}

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told it is safe (it is: one thread, no async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def launch_chromium() -> Iterator[Any]:
    """Yield a launched Chromium, or skip (fail when services are required) without it."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run browser tests"
        if os.environ.get("NEWSDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def stay_on_loopback(route: Any) -> None:
    """Let a request through only when it goes to the loopback."""
    if urlparse(route.request.url).hostname in LOOPBACK:
        route.continue_()
    else:
        route.abort()


def wait_until(page: Any, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is truthy, or fail after ``timeout`` seconds.

    Not ``page.wait_for_function``: after its first check Playwright polls by ``eval`` in
    the page, which the site's Content-Security-Policy (no 'unsafe-eval') rightly refuses,
    so it fails whenever the condition is not already true. ``page.evaluate`` runs over
    the DevTools protocol, outside the page's policy.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
