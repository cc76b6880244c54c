"""Staff tools: source, category, editor and article admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client

from newsdesk.sources.models import Source
from newsdesk.stories.models import Article, ArticleStatus
from tests.site.factories import make_article, make_category, make_editor, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    user = User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sources/source/",
        "/admin/sources/category/",
        "/admin/sources/editor/",
        "/admin/stories/article/",
        "/admin/sources/source/add/",
        "/admin/stories/article/?q=story",
    ],
)
def test_admin_pages_render(staff: Client, url: str) -> None:
    """Every admin list and form renders for staff."""
    make_article(title="A story", source=make_source(editor=make_editor()))
    assert staff.get(url).status_code == 200


def test_source_list_shows_fetch_state(staff: Client) -> None:
    """The source list shows status (with failures in a row), last error and schedule columns."""
    make_source(name="Flaky Feed", consecutive_failures=3, last_status="error")
    html = staff.get("/admin/sources/source/").content.decode()
    assert "Flaky Feed" in html
    for column in ("column-fetch_health", "column-error_summary", "column-next_fetch_at"):
        assert column in html


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("hide", "status", ArticleStatus.HIDDEN),
        ("feature", "featured", True),
    ],
)
def test_article_actions_change_and_log(staff: Client, action: str, field: str, value) -> None:
    """Hide and feature actions change the selected articles and leave a history row."""
    article = make_article()
    response = staff.post(
        "/admin/stories/article/",
        {"action": action, "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert getattr(article, field) == value
    assert LogEntry.objects.filter(object_id=str(article.pk)).exists()


def test_publish_and_unfeature_actions(staff: Client) -> None:
    """Publish and unfeature undo hide and feature."""
    article = make_article(status=ArticleStatus.HIDDEN, featured=True)
    for action in ("publish", "unfeature"):
        staff.post("/admin/stories/article/", {"action": action, "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.featured is False


def test_deactivate_action(staff: Client) -> None:
    """Deactivating a source takes it off the site."""
    source = make_source()
    staff.post("/admin/sources/source/", {"action": "deactivate", "_selected_action": [source.pk]})
    assert Source.objects.get(pk=source.pk).active is False


def test_category_order_is_editable_in_list(staff: Client) -> None:
    """Category order can be edited from the list."""
    make_category(name="World")
    html = staff.get("/admin/sources/category/").content.decode()
    assert 'name="form-0-order"' in html


def test_article_status_and_featured_editable_in_list(staff: Client) -> None:
    """Article status and featured can be edited from the list."""
    make_article()
    html = staff.get("/admin/stories/article/").content.decode()
    assert 'name="form-0-status"' in html
    assert 'name="form-0-featured"' in html
    assert Article.objects.count() == 1
