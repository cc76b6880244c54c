"""The staff pages in Chromium at 1366 and 390 px: one chrome, nothing overflowing, fetch now.

Drives Debian's Chromium through Playwright against pytest-django's live server;
every request to a host other than the loopback is aborted. Screenshots are kept
under var/test-artifacts/staff/ (their paths are printed).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from newsdesk.comments.models import Comment, Status
from newsdesk.demo.server import CorpusServer
from newsdesk.sources.models import FetchStatus, Source
from tests.browser import launch_chromium, stay_on_loopback
from tests.site.factories import make_article, make_source

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "test-artifacts" / "staff"
FEEDS = ROOT / "tests" / "data" / "integration" / "feeds"
PAGES = {
    "admin": "/admin/",
    "dashboard": "/dashboard/",
    "moderation": "/moderation/",
    "health": "/admin/sources/source/health/",
    "sources": "/admin/sources/source/",
}
# Phone and laptop, as the browser suite loads them.
WIDTHS = {1366: 900, 390: 844}


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from launch_chromium()


def populate(corpus_server: CorpusServer) -> Source:
    """Sources in every state, pending comments, and a feed the page can fetch for real."""
    shutil.copy(FEEDS / "tpm.atom", corpus_server.root / "tpm.atom")
    served = make_source(name="Talking Points Memo", feed_url=corpus_server.url("tpm.atom"))
    broken = make_source(
        name="A source with a rather long name that keeps failing",
        feed_url="https://feeds.example.org/" + "very-long-path-segment/" * 6 + "feed.xml",
        last_status=FetchStatus.ERROR,
        consecutive_failures=5,
        last_fetched_at=timezone.now(),
        last_error="ParseError: not a feed: the document is an HTML page " * 3,
    )
    for number in range(3):
        Comment.objects.create(
            article=make_article(source=broken),
            name=f"Reader {number}",
            body="A comment " * 30,
            body_html="<p>" + "A comment " * 30 + "</p>",
            body_hash=uuid4().hex,
            status=Status.PENDING,
            held_reason="2 links or more",
            visitor_hash="v" * 32,
        )
    return served


def overflow(page: Any) -> int:
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def broken_images(page: Any) -> int:
    return int(
        page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_staff_pages_at_laptop_and_phone_widths(
    browser: Any, live_server: Any, corpus_server: CorpusServer
) -> None:
    """Every staff page has the staff links and badge, a title and description, and no overflow."""
    populate(corpus_server)
    User.objects.create_superuser("chief", "chief@example.org", "chief-pass-1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route("**/*", stay_on_loopback)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "chief-pass-1")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            shot = SHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
            assert overflow(page) <= 0, (name, width)
            assert broken_images(page) == 0, (name, width)
            assert page.title().endswith("Newsdesk staff")
            description = page.get_attribute("meta[name=description]", "content")
            assert description and len(description) > 20
            nav = page.locator(".staff-nav")
            assert nav.is_visible()
            assert nav.locator(".staff-badge").inner_text().startswith("3")
            assert page.locator("#logout-form button").is_visible()
        context.close()


@pytest.mark.django_db(transaction=True)
def test_fetch_now_in_the_browser(
    browser: Any, live_server: Any, corpus_server: CorpusServer
) -> None:
    """Clicking "Fetch now" on the health page fetches the feed and shows its result."""
    served = populate(corpus_server)
    User.objects.create_superuser("chief", "chief@example.org", "chief-pass-1")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.route("**/*", stay_on_loopback)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next={PAGES['health']}")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "chief-pass-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/health/")
    page.click(f"#source-{served.pk} button[name=fetch]")
    page.wait_for_load_state()
    message = page.locator(".messagelist .success")
    assert "Talking Points Memo: 20 new" in message.inner_text()
    row = page.locator(f"#source-{served.pk}")
    assert "OK" in row.locator(".health-status").inner_text()
    assert " ms" in row.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "health-fetched-1366.png"), full_page=True)
    context.close()
