"""A real browser loads every page type and the Content-Security-Policy blocks nothing of ours.

Chromium reports each blocked script, style, image or connection as a
``securitypolicyviolation`` event and a console error; an init script collects
the events before any page script runs. Reader pages, staff pages and the admin
(index, change list, change form with its autocomplete widget) are all checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from newsdesk.comments.models import Comment, Status
from newsdesk.stories.models import Article
from tests.browser import READER_UA, launch_chromium, stay_on_loopback
from tests.site.factories import make_article, make_editor, make_source

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}`
  );
});
"""
STAFF_PASSWORD = "csp-staff-pass-1"


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium (skipped, or failed when services are required, without it)."""
    yield from launch_chromium()


def _comment(article: Article, name: str, status: str) -> Comment:
    return Comment.objects.create(
        article=article,
        name=name,
        body="A *reader* writes.",
        body_html="<p>A <em>reader</em> writes.</p>",
        body_hash=f"hash-{name}",
        visitor_hash=f"visitor-{name}",
        status=status,
    )


def _site(settings: Any) -> Article:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    editor = make_editor(display_name="Ada Editor", bio="Covers the council.")
    article = make_article(source=make_source(editor=editor), title="Council approves bridge")
    make_article(source=article.source, title="Second story in the category")
    _comment(article, "Reader One", Status.APPROVED)
    _comment(article, "Reader Two", Status.PENDING)
    User.objects.create_user("desk", password=STAFF_PASSWORD, is_staff=True, is_superuser=True)
    return article


class Watcher:
    """Open pages in one context and collect CSP violations, console errors and page errors."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(user_agent=READER_UA)
        self.context.route("**/*", stay_on_loopback)
        self.context.add_init_script(COLLECT_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def visit(self, path: str, expect_status: int = 200) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == expect_status, path
        assert response.headers.get("content-security-policy"), path
        return self.check(path)

    def check(self, label: str) -> Any:
        self.page.wait_for_load_state("load")
        # Violation events are queued tasks: give them a moment to arrive.
        self.page.wait_for_timeout(150)
        for violation in self.page.evaluate("window.__violations"):
            self.problems.append(f"{label}: {violation}")
        # The 404 page's console line is the browser reporting the status, not a fault.
        self.problems = [p for p in self.problems if "status of 404" not in p]
        return self.page


@pytest.mark.django_db(transaction=True)
def test_no_page_type_reports_a_csp_violation(
    browser: Any, live_server: Any, settings: Any
) -> None:
    """Reader pages, staff pages and the admin load and run under the policy with no violation."""
    article = _site(settings)
    category = article.source.category
    watcher = Watcher(browser, live_server.url)

    for path in (
        "/",
        "/latest/",
        category.get_absolute_url(),
        article.source.editor.get_absolute_url(),
        "/search/?q=bridge",
        "/disclaimer/",
        "/?popular=7d",
    ):
        watcher.visit(path)
    watcher.visit("/no-such-page/", expect_status=404)

    page = watcher.visit(article.get_absolute_url())
    assert page.locator(".comment-list").inner_text().count("Reader One") == 1
    # comments.js (a static file) moves the form under the comment on "Reply".
    page.click("a.comment-reply")
    assert page.locator("#comment-form").is_visible()
    watcher.check("reply")

    page = watcher.visit("/admin/login/?next=/admin/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    watcher.check("admin index")
    for path in (
        "/dashboard/",
        "/dashboard/?range=30d",
        "/moderation/",
        "/admin/stories/article/",
        f"/admin/stories/article/{article.pk}/change/",
        "/admin/sources/source/add/",
        "/admin/sources/source/",
        "/admin/sources/source/health/",
        f"/admin/sources/source/{article.source_id}/change/",
        "/admin/comments/comment/",
        "/admin/auth/user/",
        "/admin/axes/accessattempt/",
    ):
        watcher.visit(path)
    # The autocomplete widget (select2) opens and lists sources without inline style.
    page = watcher.visit(f"/admin/stories/article/{article.pk}/change/")
    page.click(".field-source .select2-selection")
    page.wait_for_selector(".select2-results__option")
    watcher.check("autocomplete")
    watcher.context.close()
    assert watcher.problems == []


@pytest.mark.django_db(transaction=True)
def test_beacon_mode_counts_without_inline_script(
    browser: Any, live_server: Any, settings: Any
) -> None:
    """In beacon mode the page's beacon script is a static file and runs under the policy."""
    settings.NEWSDESK_HITS_BEACON = True
    article = _site(settings)
    watcher = Watcher(browser, live_server.url)
    with watcher.page.expect_request("**/hits/beacon") as sent:
        watcher.visit(article.get_absolute_url())
    assert sent.value.method == "POST"
    watcher.context.close()
    assert watcher.problems == []


@pytest.mark.django_db(transaction=True)
def test_foreign_images_and_inline_code_are_blocked_and_reported(
    browser: Any, live_server: Any, settings: Any
) -> None:
    """Should a third-party image or inline code ever reach a page, the browser refuses it.

    Article images are stored locally at ingest, so no template of ours emits a
    foreign one; this puts one (and an inline script and style) into a live page to
    show that the policy itself blocks and reports them.
    """
    article = _site(settings)
    watcher = Watcher(browser, live_server.url)
    page = watcher.visit(article.get_absolute_url())
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "https://images.publisher.example/photo.jpg";
          document.body.append(img);
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color:red">x</p>');
        }"""
    )
    watcher.check("injected")
    assert page.evaluate("window.__ran === undefined")  # the inline script never ran
    watcher.context.close()
    problems = " ".join(watcher.problems)
    assert "img-src blocked https://images.publisher.example" in problems
    assert "script-src-elem blocked inline" in problems
    assert "style-src-attr blocked inline" in problems
