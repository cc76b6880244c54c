"""A real browser posts, sees its comment held, a moderator approves, the author replies and edits.

Also: the article page sets no cookie until the reader starts writing; a
browser without JavaScript gets the form back once and posts with a second
click; an approved comment edited to carry a link goes back to the queue.

Drives Debian's Chromium through Playwright against pytest-django's live
server. Every request to a host other than the loopback is aborted. A dialog
listener and a trapped ``window.alert`` prove the XSS payloads never run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from newsdesk.comments.models import Comment, Status
from newsdesk.stories.models import Article
from tests.browser import READER_UA, launch_chromium, stay_on_loopback, wait_until

# Any alert/confirm/prompt, or a call of the trapped window.alert, counts as executed script.
TRAP_ALERT = "window.__xss = []; window.alert = (m) => { window.__xss.push(String(m)); };"
XSS_NAME = 'Ada <img src=x onerror="alert(1)">'
XSS_BODY = (
    "Hello *world*. [click me](javascript:alert(2)) <script>alert(3)</script> "
    "<img src=x onerror=alert(4)>"
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium (skipped, or failed when services are required, without it)."""
    yield from launch_chromium()


def open_page(browser: Any, dialogs: list[str], address: str = "") -> Any:
    """A fresh browser context (own cookies) confined to the loopback, with XSS traps.

    Every browser here connects from 127.0.0.1; with ``address`` the context says, as a
    trusted proxy would, that it is a reader elsewhere (the test lists 127.0.0.1 as proxy).
    """
    headers = {"X-Forwarded-For": address} if address else {}
    context = browser.new_context(user_agent=READER_UA, extra_http_headers=headers)
    context.route("**/*", stay_on_loopback)
    context.add_init_script(TRAP_ALERT)
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def assert_no_script_ran(page: Any, dialogs: list[str]) -> None:
    assert dialogs == []
    assert page.evaluate("window.__xss") == []


def fill_comment(page: Any, name: str, body: str) -> None:
    page.fill("#comment-form input[name=name]", name)
    page.fill("#comment-form input[name=email]", "ada@example.org")
    page.fill("#comment-form textarea[name=body]", body)
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_comment_lifecycle_in_a_browser(
    browser: Any, live_server: Any, settings: Any, article: Article, staff: User
) -> None:
    """Post -> held -> approved by staff -> shown with Recent Comments -> reply -> edit window."""
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    settings.NEWSDESK_TRUSTED_PROXIES = ["127.0.0.1"]
    staff.set_password("moderator-pass-1")
    staff.save()
    dialogs: list[str] = []
    url = f"{live_server.url}{article.get_absolute_url()}"

    # The reader posts; the comment is held and only they see it, marked as waiting.
    reader = open_page(browser, dialogs)
    reader.goto(url)
    fill_comment(reader, XSS_NAME, XSS_BODY)
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    held = reader.locator(f"#comment-{comment.pk}")
    assert "awaiting moderation" in held.inner_text()
    assert held.locator(".comment-author").inner_text() == XSS_NAME
    assert held.locator(".comment-body em").inner_text() == "world"
    assert held.locator(".comment-body a").count() == 0
    assert held.locator("img, script").count() == 0
    stranger = open_page(browser, dialogs, address="198.51.100.44")
    stranger.goto(url)
    assert stranger.locator(f"#comment-{comment.pk}").count() == 0

    # A moderator logs in, sees why it was held, and approves it.
    staff_page = open_page(browser, dialogs)
    staff_page.goto(f"{live_server.url}/admin/login/?next=/moderation/")
    staff_page.fill("#id_username", "moderator")
    staff_page.fill("#id_password", "moderator-pass-1")
    staff_page.click("input[type=submit]")
    staff_page.wait_for_url("**/moderation/")
    queued = staff_page.locator(f"#queued-{comment.pk}")
    assert "policy: first comment from this author" in queued.inner_text()
    queued.locator("button[value^=approve]").click()
    staff_page.wait_for_load_state()
    assert "Approve: 1 comment." in staff_page.content()
    assert staff_page.locator(f"#queued-{comment.pk}").count() == 0

    # Everyone now sees it on the article and in Recent Comments.
    stranger.goto(url)
    shown = stranger.locator(f"#comment-{comment.pk}")
    assert shown.locator(".comment-author").inner_text() == XSS_NAME
    assert "awaiting moderation" not in shown.inner_text()
    recent = stranger.locator(".widget-recent-comments li").first
    assert recent.inner_text() == f"{XSS_NAME} on {article.title}"
    recent.locator("a").click()
    stranger.wait_for_url(f"**{article.get_absolute_url()}#comment-{comment.pk}")

    # The reader replies: the Reply link moves the form under the comment (JavaScript).
    reader.goto(url)
    reader.click(f"#comment-{comment.pk} a.comment-reply")
    assert reader.locator(f"#comment-{comment.pk} #comment-form").count() == 1
    assert reader.input_value("#comment-form input[name=parent]") == str(comment.pk)
    fill_comment(reader, "Ada", "A follow-up **reply**.")
    reply = Comment.objects.get(parent=comment)
    # hold_first: the browser's commenter cookie belongs to an approved comment now.
    assert reply.status == Status.APPROVED
    threaded = reader.locator(f"#comment-{reply.pk}")
    assert "depth-1" in (threaded.get_attribute("class") or "")

    # Within the window the author edits the reply.
    threaded.locator("a.comment-edit").click()
    reader.fill(".comment-edit-form textarea[name=body]", "An edited reply.")
    reader.click(".comment-edit-form button[type=submit]")
    reader.wait_for_load_state()
    assert reader.locator(f"#comment-{reply.pk} .comment-body").inner_text() == "An edited reply."
    assert "(edited)" in reader.locator(f"#comment-{reply.pk}").inner_text()

    # Someone else typing the same name and email is a first-time commenter: held.
    fill_comment(stranger, "Ada", "I am Ada too, trust me.")
    assert Comment.objects.get(body="I am Ada too, trust me.").status == Status.PENDING

    # An edit that adds a link sends the approved reply back to the queue.
    reader.locator(f"#comment-{reply.pk} a.comment-edit").click()
    reader.fill(".comment-edit-form textarea[name=body]", "Cheap pills at https://ad.example")
    reader.click(".comment-edit-form button[type=submit]")
    reader.wait_for_load_state()
    reply.refresh_from_db()
    assert reply.status == Status.PENDING and "edit adds a link" in reply.held_reason
    assert "awaiting moderation" in reader.locator(f"#comment-{reply.pk}").inner_text()
    stranger.goto(url)
    assert stranger.locator(f"#comment-{reply.pk} .comment-body").count() == 0

    # After the window, the links are gone and a direct attempt is refused.
    settings.NEWSDESK_COMMENTS_EDIT_MINUTES = 0
    reader.goto(url)
    assert reader.locator(f"#comment-{reply.pk} a.comment-edit").count() == 0
    response = reader.goto(f"{live_server.url}/comments/{reply.pk}/edit/")
    assert response.status == 403
    assert "time to change this comment has passed" in reader.content()
    reply.refresh_from_db()
    assert reply.body == "Cheap pills at https://ad.example"

    for page in (reader, stranger, staff_page):
        assert_no_script_ran(page, dialogs)


def cookie_names(page: Any) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


@pytest.mark.django_db(transaction=True)
def test_reading_sets_no_cookie_and_writing_fetches_the_stamp(
    browser: Any, live_server: Any, settings: Any, article: Article
) -> None:
    """The article page sets no cookie; focusing the form fetches stamp and token; posting works."""
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    dialogs: list[str] = []
    page = open_page(browser, dialogs)
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    assert cookie_names(page) == set()
    assert page.input_value("#comment-form input[name=stamp]") == ""
    with page.expect_response(lambda r: "/comments/stamp/" in r.url) as fetched:
        page.click("#comment-form input[name=name]")
    assert fetched.value.status == 200
    wait_until(page, "document.querySelector('#comment-form input[name=stamp]').value")
    assert "csrftoken" in cookie_names(page)
    fill_comment(page, "Bea", "Written with the fetched stamp.")
    comment = Comment.objects.get()
    assert comment.body == "Written with the fetched stamp." and comment.stamp
    assert page.locator(f"#comment-{comment.pk} .comment-body").inner_text() == (
        "Written with the fetched stamp."
    )
    assert {"csrftoken", "nd_commenter", f"nd_comment_{comment.pk}"} <= cookie_names(page)
    assert_no_script_ran(page, dialogs)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_form_comes_back_once_with_the_text(
    browser: Any, live_server: Any, settings: Any, article: Article
) -> None:
    """No script, so no token: the CSRF failure shows the form again, text kept; a click posts."""
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    context = browser.new_context(user_agent=READER_UA, java_script_enabled=False)
    context.route("**/*", stay_on_loopback)
    page = context.new_page()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.fill("#comment-form input[name=name]", "Cy")
    page.fill("#comment-form textarea[name=body]", "Typed in a browser without scripts.")
    with page.expect_navigation() as sent:
        page.click("#comment-form button[type=submit]")
    assert sent.value is not None and sent.value.status == 403
    assert "Your comment is not posted yet" in page.content()
    assert page.input_value("#comment-form textarea[name=body]") == (
        "Typed in a browser without scripts."
    )
    assert Comment.objects.count() == 0
    page.click("#comment-form button[type=submit]")
    page.wait_for_load_state()
    comment = Comment.objects.get()
    assert page.locator(f"#comment-{comment.pk} .comment-author").inner_text() == "Cy"
    context.close()
