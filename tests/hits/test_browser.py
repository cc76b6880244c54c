"""A real browser reads articles, sees the counts rise, and opens the staff dashboard.

Drives Debian's Chromium through Playwright against pytest-django's live server.
Every request to a host other than the loopback is aborted, so nothing leaves
the machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from newsdesk.stories.models import Article
from tests.browser import READER_UA, launch_chromium, stay_on_loopback
from tests.hits.showing import make_article

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium (skipped, or failed when services are required, without it)."""
    yield from launch_chromium()


def _flush() -> None:
    """Store what the live server's requests queued (its flusher runs in a thread)."""
    from newsdesk.hits.recorder import flush_now

    flush_now()


def _shown_views(page: object, url: str) -> int:
    page.goto(url)  # type: ignore[attr-defined]
    return int(page.get_attribute(".article-views", "data-views"))  # type: ignore[attr-defined]


def _site_hits(page: object) -> int:
    return int(page.get_attribute(".site-hits-count", "data-views"))  # type: ignore[attr-defined]


def _wait_for(check: object, expected: int, timeout: float = 10.0) -> int:
    """Flush and re-read until the figure reaches ``expected`` (the buffer is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        _flush()
        value = check()  # type: ignore[operator]
        if value >= expected or time.monotonic() > deadline:
            return int(value)
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_counts_rise_and_dashboard_chart_renders(browser: object, live_server: object) -> None:
    """Reading articles raises their counts and the header counter; staff see a 24-point chart."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    first: Article = make_article("First browser story")
    second: Article = make_article("Second browser story")
    User.objects.create_user("desk", password="desk-pass-1", is_staff=True)
    _flush()

    context = browser.new_context(user_agent=READER_UA)  # type: ignore[attr-defined]
    context.route("**/*", stay_on_loopback)
    page = context.new_page()
    first_url = base + first.get_absolute_url()

    # A page shows the views counted before it, so the first visit shows 0.
    assert _shown_views(page, first_url) == 0
    seen = _wait_for(lambda: _shown_views(page, first_url), expected=2)
    assert seen >= 2
    page.goto(base + second.get_absolute_url())
    after = _wait_for(lambda: _shown_views(page, first_url), expected=seen + 2)
    assert after > seen
    assert _site_hits(page) >= after + 1  # the second article's view counts site-wide

    page.goto(base + "/admin/login/?next=/dashboard/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "desk-pass-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/dashboard/")
    chart = page.locator("svg.chart").first
    assert chart.get_attribute("data-points") == "24"
    # Two lines, one point per hour begun today; later hours are not drawn as zero.
    begun = datetime.now(UTC).hour + 1
    assert chart.locator("circle.chart-point").count() in (2 * begun, 2 * (begun % 24 + 1))
    assert page.locator("#top-articles").inner_text().count("browser story") == 2
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80

    page.goto(base + "/dashboard/?range=30d")
    assert page.locator("svg.chart").first.get_attribute("data-points") == "30"
    assert "Visitor-days" in page.inner_text("body")
    context.close()
