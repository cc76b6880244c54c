"""One staff area: the admin, dashboard, moderation and source health share one chrome."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from newsdesk.comments.models import Comment, Status
from newsdesk.demo.server import CorpusServer
from newsdesk.sources.actions import fetch_now
from newsdesk.sources.models import FetchStatus, Source
from tests.site.factories import make_article, make_source

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/admin/", "/dashboard/", "/moderation/", "/admin/sources/source/health/"]
HEALTH = "/admin/sources/source/health/"
FEEDS = Path(__file__).resolve().parents[1] / "data" / "integration" / "feeds"


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", "pw-tests"))
    return client


def add_comment(status: str) -> Comment:
    return Comment.objects.create(
        article=make_article(),
        name="Reader",
        body="Text",
        body_html="<p>Text</p>",
        body_hash=uuid4().hex,
        status=status,
        visitor_hash="v" * 32,
    )


def rows(html: str) -> list[str]:
    """The source names of the health table, in order."""
    return re.findall(
        r'<tr id="source-\d+"[^>]*>\s*<td data-label="Source" class="url"><a [^>]*>([^<]+)</a>',
        html,
    )


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_share_the_admin_chrome(staff: Client, path: str) -> None:
    """Each staff page is branded Newsdesk, links the others, and logs out with a POST form."""
    html = staff.get(path).content.decode()
    assert "Newsdesk staff" in html and "Django administration" not in html
    nav = html[html.index('class="staff-nav"') :]
    for link in ["/dashboard/", "/moderation/", HEALTH]:
        assert f'href="{link}"' in nav
    assert re.search(r'<form id="logout-form" method="post" action="/admin/logout/">', html)
    assert 'name="description"' in html
    # The staff area, not the reader theme.
    assert "site/site.css" not in html and "staff/staff.css" in html


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_refuse_readers(client: Client, path: str) -> None:
    """Anonymous and non-staff users are sent to the login page."""
    assert "/admin/login/" in client.get(path)["Location"]
    client.force_login(User.objects.create_user("reader", password="pw-reader-1"))
    response = client.get(path)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_moderation_badge_counts_pending_comments(staff: Client) -> None:
    """The badge beside Moderation is the number of comments waiting, on every staff page."""
    for status in [Status.PENDING, Status.PENDING, Status.APPROVED, Status.SPAM]:
        add_comment(status)
    for path in STAFF_PAGES:
        html = staff.get(path).content.decode()
        assert re.search(r'class="staff-badge" data-pending="2">2<', html), path


def test_admin_index_lists_the_staff_pages(staff: Client) -> None:
    """The admin's index names Dashboard, Moderation and Sources health first."""
    html = staff.get("/admin/").content.decode()
    home = html[html.index('id="staff-home"') :]
    assert home.index("Dashboard") < home.index("Moderation") < home.index("Sources health")
    assert html.index('id="staff-home"') < html.index("app-sources")


def test_staff_dates_share_one_format(staff: Client) -> None:
    """The admin and the health page show times as "1 Dec 2026, 14:05 UTC"."""
    when = timezone.now().replace(year=2026, month=12, day=1, hour=14, minute=5)
    make_source(name="Dated", next_fetch_at=when, last_success_at=when)
    listing = staff.get("/admin/sources/source/").content.decode()
    health = staff.get(HEALTH).content.decode()
    assert "1 Dec 2026, 14:05 UTC" in listing
    assert health.count("1 Dec 2026, 14:05 UTC") == 2
    Comment.objects.filter(pk=add_comment(Status.PENDING).pk).update(created_at=when)
    assert "1 Dec 2026, 14:05 UTC" in staff.get("/moderation/").content.decode()
    board = staff.get("/dashboard/?start=2026-11-03&end=2026-11-05").content.decode()
    assert "3 Nov 2026 to 5 Nov 2026 (UTC), daily" in board and "<title>4 Nov 2026: " in board


def failing_sources() -> dict[str, Source]:
    now = timezone.now()
    return {
        "fine": make_source(
            name="Fine", last_status=FetchStatus.OK, response_ms=80.0, items_per_day=12.0
        ),
        "slow": make_source(
            name="Slow", last_status=FetchStatus.OK, response_ms=900.0, items_per_day=0.5
        ),
        "broken": make_source(
            name="Broken",
            last_status=FetchStatus.ERROR,
            last_error="HTTPStatusError: HTTP 404 Not Found",
            consecutive_failures=4,
            last_fetched_at=now,
        ),
        "stopped": make_source(
            name="Stopped",
            last_status=FetchStatus.ERROR,
            consecutive_failures=9,
            fetch_stopped_at=now,
            fetch_stopped_reason="The feed answered HTTP 410 Gone",
        ),
        "new": make_source(name="New"),
    }


def test_health_page_shows_each_source_state_in_words(staff: Client) -> None:
    """Status is a colour and a text; errors show their reason; counts come annotated."""
    sources = failing_sources()
    make_article(source=sources["fine"])
    make_article(source=sources["fine"])
    html = staff.get(HEALTH).content.decode()
    assert 'health-error">Failing (4 in a row)' in html
    assert 'health-stopped">Stopped by the crawler' in html
    assert 'health-ok">OK' in html and 'health-idle">Not fetched yet' in html
    assert "HTTP 404 Not Found" in html and "HTTP 410 Gone" in html
    assert "900 ms" in html and ">12<" in html and ">0.5<" in html
    fine = html[html.index(f'id="source-{sources["fine"].pk}"') :]
    assert re.search(r'source__id__exact=\d+">2</a>', fine)


def test_health_page_queries_do_not_grow_with_sources(
    staff: Client, django_assert_max_num_queries: Any
) -> None:
    """One query for the rows and their article counts, whatever the number of sources."""
    for _ in range(3):
        make_article(source=make_source())
    staff.get(HEALTH)
    with django_assert_max_num_queries(12) as few:
        staff.get(HEALTH)
    for _ in range(10):
        make_article(source=make_source())
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff.get(HEALTH)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("-status", ["Stopped", "Broken", "New", "Fine", "Slow"]),
        ("-response", ["Slow", "Fine", "Broken", "New", "Stopped"]),
        ("response", ["Fine", "Slow", "Broken", "New", "Stopped"]),
        ("-items", ["Fine", "Slow", "Broken", "New", "Stopped"]),
        ("name", ["Broken", "Fine", "New", "Slow", "Stopped"]),
        ("-failures", ["Stopped", "Broken", "Fine", "New", "Slow"]),
    ],
)
def test_health_page_sorts(staff: Client, sort: str, order: list[str]) -> None:
    """Each column heading sorts; empty values go last in either direction."""
    failing_sources()
    assert rows(staff.get(f"{HEALTH}?o={sort}").content.decode()) == order


def test_health_page_sort_links_turn_around(staff: Client) -> None:
    """The sorted column's link sorts the other way, and keeps the failing filter."""
    html = staff.get(f"{HEALTH}?o=-response&failing=1").content.decode()
    assert 'href="?o=response&amp;failing=1"' in html
    assert 'aria-sort="descending"' in html
    # The same sorts as a menu, for phones where the headings are hidden.
    assert '<option value="-response" selected>Avg. response, slowest first</option>' in html
    assert '<input type="hidden" name="failing" value="1">' in html


def test_health_page_filters_to_failing_sources(staff: Client) -> None:
    """Failing only: sources whose last fetch failed and those the crawler stopped."""
    failing_sources()
    html = staff.get(f"{HEALTH}?failing=1").content.decode()
    assert rows(html) == ["Stopped", "Broken"]
    assert "Failing only (2)" in html and "All sources (5)" in html


@pytest.mark.django_db(transaction=True)
def test_fetch_now_from_the_health_page(staff: Client, corpus_server: CorpusServer) -> None:
    """Fetch now fetches over real HTTP, shows the per-source result and logs the action."""
    shutil.copy(FEEDS / "tpm.atom", corpus_server.root / "tpm.atom")
    good = make_source(name="TPM", feed_url=corpus_server.url("tpm.atom"))
    bad = make_source(name="Gone", feed_url=corpus_server.url("missing.xml"))

    response = staff.post(HEALTH, {"fetch": good.pk, "query": "o=name"})
    assert response.status_code == 303 and response["Location"] == f"{HEALTH}?o=name"
    html = staff.get(response["Location"]).content.decode()
    assert re.search(r'class="success">TPM: 20 new, 0 updated, 0 unchanged', html)
    good.refresh_from_db()
    assert good.last_success_at is not None and good.response_ms is not None

    html = staff.post(HEALTH, {"fetch": bad.pk}, follow=True).content.decode()
    assert re.search(r'class="error">Gone: failed: HTTPStatusError: HTTP 404 Not Found', html)
    messages = list(LogEntry.objects.values_list("object_id", "change_message"))
    assert (
        str(good.pk),
        "Fetched now (fetch_now): TPM: 20 new, 0 updated, 0 unchanged",
    ) in messages
    assert any(obj == str(bad.pk) and "HTTP 404" in text for obj, text in messages)


@pytest.mark.django_db(transaction=True)
def test_fetch_now_past_the_deadline_is_left_to_the_crawler(
    corpus_server: CorpusServer,
) -> None:
    """A source not done within the budget is queued for the crawler, not waited for."""
    shutil.copy(FEEDS / "tpm.atom", corpus_server.root / "tpm.atom")
    later = timezone.now() + timedelta(hours=1)
    source = make_source(name="TPM", feed_url=corpus_server.url("tpm.atom"), next_fetch_at=later)
    actor = User.objects.create_superuser("chief", "chief@example.org", "pw-tests")

    [outcome] = fetch_now([source], actor=actor, budget=0)

    assert outcome.level == "queued" and "the crawler goes on with it" in outcome.describe()
    source.refresh_from_db()
    assert source.next_fetch_at <= timezone.now()
    assert corpus_server.requests_for("/tpm.atom") == []
    assert LogEntry.objects.filter(object_id=str(source.pk)).exists()


def test_fetch_now_needs_change_permission(client: Client) -> None:
    """A staff member who may only view sources sees the page but cannot fetch."""
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_source"))
    client.force_login(viewer)
    source = make_source(name="Watched")
    html = client.get(HEALTH).content.decode()
    assert "Watched" in html and 'name="fetch"' not in html
    assert client.post(HEALTH, {"fetch": source.pk}).status_code == 403


def test_sources_list_shows_feed_url_error_and_article_count(
    staff: Client, django_assert_max_num_queries: Any
) -> None:
    """The list names the feed URL, the last error and the article count, without N+1."""
    broken = make_source(
        name="Broken", last_status=FetchStatus.ERROR, last_error="ParseError: not a feed"
    )
    make_article(source=broken)
    html = staff.get("/admin/sources/source/").content.decode()
    assert broken.feed_url in html and "ParseError: not a feed" in html
    assert re.search(rf'source__id__exact={broken.pk}">1</a>', html)
    with django_assert_max_num_queries(30) as few:
        staff.get("/admin/sources/source/")
    for _ in range(8):
        make_article(source=make_source())
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff.get("/admin/sources/source/")


def test_source_page_links_its_articles_and_shows_the_latest(staff: Client) -> None:
    """The change page links to the source's articles, lists its latest entries and measures."""
    source = make_source(name="Wire", response_ms=1234.56, items_per_day=3.25)
    for number in range(12):
        make_article(source=source, title=f"Entry {number}")
    html = staff.get(f"/admin/sources/source/{source.pk}/change/").content.decode()
    assert f"?source__id__exact={source.pk}" in html and "All 12 articles of this source" in html
    latest = html[html.index('class="latest-entries"') :]
    assert latest.count("<li>") == 10
    assert "1,235 ms" in html and "3.2" in html


def test_source_autocomplete_still_pages_in_order(staff: Client) -> None:
    """The article form's source autocomplete lists sources by name (the count keeps an order)."""
    make_source(name="Zeta")
    make_source(name="Alpha")
    response = staff.get(
        "/admin/autocomplete/?app_label=stories&model_name=article&field_name=source"
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Alpha", "Zeta"]


def test_sources_with_articles_can_still_be_deleted_from_the_list(staff: Client) -> None:
    """The annotated list still runs the admin's "delete selected" on sources and articles."""
    doomed = make_source(name="Doomed")
    make_article(source=doomed)
    kept = make_source(name="Kept")
    staff.post(
        "/admin/sources/source/",
        {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"},
    )
    assert list(Source.objects.values_list("name", flat=True)) == [kept.name]
