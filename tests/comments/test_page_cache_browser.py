"""Two real browsers and the page cache: one posts a comment, the other never sees its notice.

Drives Debian's Chromium through Playwright against pytest-django's live
server with the page cache on; every request off the loopback is aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk.comments.actions import approve_comment
from newsdesk.comments.models import Comment, Status
from newsdesk.site.pagecache import STATUS_HEADER
from newsdesk.stories.models import Article
from tests.browser import READER_UA, launch_chromium, stay_on_loopback

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTICE = "awaiting moderation"


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from launch_chromium()


def reader_page(browser: Any) -> Any:
    """A fresh browser context: its own cookies, confined to the loopback."""
    context = browser.new_context(user_agent=READER_UA)
    context.route("**/*", stay_on_loopback)
    return context.new_page()


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_never_carries_another_readers_comment_notice(
    browser: Any, live_server: Any, settings: Any, article: Article, tmp_path: Any
) -> None:
    """The author sees their held comment; the other browser gets the shared page without it."""
    settings.NEWSDESK_PAGE_CACHE = True
    settings.NEWSDESK_PAGE_CACHE_SECONDS = 300
    settings.VAR_DIR = tmp_path
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    url = f"{live_server.url}{article.get_absolute_url()}"
    other = reader_page(browser)
    author = reader_page(browser)

    # The other reader's visits fill the cache before and after the post.
    assert other.goto(url).headers[STATUS_HEADER.lower()] == "miss"
    author.goto(url)
    author.fill("#comment-form input[name=name]", "Rosa")
    author.fill("#comment-form textarea[name=body]", "Held for now, seen by me alone.")
    author.click("#comment-form button[type=submit]")
    author.wait_for_load_state()
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert NOTICE in author.locator(f"#comment-{comment.pk}").inner_text()
    assert "Edit" in author.locator(f"#comment-{comment.pk}").inner_text()

    for _ in range(2):
        response = other.goto(url)
        assert response.headers[STATUS_HEADER.lower()] in {"hit", "miss"}
        body = response.text()
        assert NOTICE not in body and "Held for now" not in body
        assert 'name="csrfmiddlewaretoken" value=""' in body  # no token in the shared body
        assert "Cookie" not in response.headers.get("vary", "")
    assert response.headers[STATUS_HEADER.lower()] == "hit"
    assert {c["name"] for c in other.context.cookies()} == set()

    # Once approved, both see it, without the notice.
    approve_comment(comment, None)
    other.goto(url)
    shown = other.locator(f"#comment-{comment.pk}")
    assert "Held for now, seen by me alone." in shown.inner_text()
    assert NOTICE not in shown.inner_text()
    assert shown.locator("a.comment-edit").count() == 0
