"""A reader in a real browser follows a card's "+N sources" to the story page and back.

Drives Debian's Chromium through Playwright against the live server, confined
to the loopback; an outlet named with markup proves source names never run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from newsdesk.stories.models import Article
from newsdesk.stories.stage import reset_state, understand_new_articles
from tests.comments.test_browser import assert_no_script_ran, browser, open_page
from tests.site.factories import make_category, make_source
from tests.stories.helpers import event, store

__all__ = ["browser"]  # the fixture, shared with the comments' browser test

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOSTILE = 'Evening <img src=x onerror="alert(1)"> Post'


@pytest.mark.django_db(transaction=True)
def test_reader_reads_a_story_in_a_browser(browser: Any, live_server: Any) -> None:
    """Card -> story page (timeline, first report) -> an article -> its credit -> back."""
    reset_state()
    world = make_category(name="World")
    reports = event(56)
    first = store(reports[0], source=make_source(name="Morning Outlet", category=world))
    store(reports[1], source=make_source(name=HOSTILE, category=world))
    store(reports[2], source=make_source(name="Third Outlet", category=world))
    copy = store(
        reports[0],
        source=make_source(name="Republisher", category=world),
        url="https://republisher.example/1",
        canonical_url="https://republisher.example/1",
        published_at=reports[0].published + timedelta(hours=6),
    )
    understand_new_articles()
    story_id = Article.objects.get(pk=first.pk).story_id
    dialogs: list[str] = []
    page = open_page(browser, dialogs)

    page.goto(f"{live_server.url}/latest/")
    cards = page.locator(".story-sources a")
    assert cards.count() == 1 and cards.inner_text() == "+3 sources"
    cards.click()
    page.wait_for_url(f"**/story/{story_id}/")
    entries = page.locator(".timeline-entry")
    assert entries.count() == 4
    assert "Morning Outlet" in page.locator(".first-report").inner_text()
    assert entries.nth(0).locator(".badge").inner_text().lower() == "first"
    assert page.locator(".timeline-outlet", has_text="Evening").inner_text() == HOSTILE
    assert page.locator(".timeline-entry img").count() == 0

    page.locator(".timeline-entry.is-reprint .timeline-title").click()
    page.wait_for_url(f"**{copy.get_absolute_url()}")
    credit = page.locator(".reprint-credit")
    assert credit.inner_text().startswith("Republished from Morning Outlet, first published")
    credit.locator("a").first.click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert "Republisher" in page.locator(".republished-by").inner_text()
    page.locator(".also-reported .more-link a").click()
    page.wait_for_url(f"**/story/{story_id}/")
    assert_no_script_ran(page, dialogs)
