"""Every state change staff make is a named action that leaves a row in the admin history."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client

from newsdesk.sources import actions as source_actions
from newsdesk.sources.models import Source
from newsdesk.stories import actions
from newsdesk.stories.models import Article, ArticleStatus
from tests.site.factories import make_article, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(db: None) -> User:
    return User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests")


@pytest.fixture
def staff(client: Client, chief: User) -> Client:
    client.force_login(chief)
    return client


def history(obj: Article | Source) -> list[str]:
    rows = LogEntry.objects.filter(object_id=str(obj.pk)).order_by("action_time", "pk")
    return [row.get_change_message() for row in rows]


@pytest.mark.parametrize(
    ("action", "field", "before", "after", "words"),
    [
        (
            actions.hide_article,
            "status",
            ArticleStatus.PUBLISHED,
            ArticleStatus.HIDDEN,
            "hide_article",
        ),
        (
            actions.publish_article,
            "status",
            ArticleStatus.HIDDEN,
            ArticleStatus.PUBLISHED,
            "publish_article",
        ),
        (actions.feature_article, "featured", False, True, "feature_article"),
        (actions.unfeature_article, "featured", True, False, "unfeature_article"),
    ],
)
def test_article_actions_change_one_field_and_log(
    chief: User, action, field: str, before, after, words: str
) -> None:
    """Each article action changes its field, logs once with its name, and is idempotent."""
    article = make_article(**{field: before})
    assert action(article, actor=chief) is True
    article.refresh_from_db()
    assert getattr(article, field) == after
    assert action(article, actor=chief) is False  # already so: no second row
    (message,) = history(article)
    assert words in message
    assert LogEntry.objects.get().user == chief


def test_source_actions_log_and_take_articles_off_the_site(chief: User, client: Client) -> None:
    """Deactivating a source hides its articles; both changes are logged by name."""
    source = make_source()
    article = make_article(source=source)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert source_actions.deactivate_source(source, actor=chief) is True
    assert client.get(article.get_absolute_url()).status_code == 404
    assert source_actions.activate_source(source, actor=chief) is True
    assert source_actions.activate_source(source, actor=chief) is False
    assert [m.split(" (")[1] for m in history(source)] == [
        "deactivate_source).",
        "activate_source).",
    ]


@pytest.mark.parametrize(
    ("admin_action", "field", "value", "words"),
    [
        ("hide", "status", ArticleStatus.HIDDEN, "hide_article"),
        ("feature", "featured", True, "feature_article"),
    ],
)
def test_admin_actions_go_through_the_named_actions(
    staff: Client, admin_action: str, field: str, value, words: str
) -> None:
    """The admin's bulk actions call the named actions: one history row each, by name."""
    articles = [make_article(), make_article()]
    response = staff.post(
        "/admin/stories/article/",
        {"action": admin_action, "_selected_action": [a.pk for a in articles]},
    )
    assert response.status_code == 302
    for article in articles:
        article.refresh_from_db()
        assert getattr(article, field) == value
        assert [words in m for m in history(article)] == [True]


def test_admin_source_actions_log_each_source(staff: Client) -> None:
    """Bulk (de)activation in the admin logs a named row per source."""
    sources = [make_source(), make_source()]
    staff.post(
        "/admin/sources/source/",
        {"action": "deactivate", "_selected_action": [s.pk for s in sources]},
    )
    for source in sources:
        assert Source.objects.get(pk=source.pk).active is False
        assert ["deactivate_source" in m for m in history(source)] == [True]


def test_list_edits_of_state_go_through_the_named_actions(staff: Client) -> None:
    """Changing status and featured in the change list logs the named actions, not a raw edit."""
    article = make_article()
    response = staff.post(
        "/admin/stories/article/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(article.pk),
            "form-0-status": ArticleStatus.HIDDEN,
            "form-0-featured": "on",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.status == ArticleStatus.HIDDEN and article.featured is True
    messages = history(article)
    assert len(messages) == 2
    assert any("hide_article" in m for m in messages)
    assert any("feature_article" in m for m in messages)


def test_change_form_logs_state_by_name_and_other_fields_as_usual(staff: Client) -> None:
    """A change form that edits the title and hides the article logs both, the hide by name."""
    article = make_article()
    form = staff.get(f"/admin/stories/article/{article.pk}/change/").context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(
        {
            "title": "A corrected title",
            "status": ArticleStatus.HIDDEN,
            "source": article.source_id,
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "updated_at_0": "",
            "updated_at_1": "",
            "featured": "",
        }
    )
    data = {
        k: ("" if v is None else v)
        for k, v in data.items()
        if k not in {"published_at", "updated_at"}
    }
    response = staff.post(f"/admin/stories/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.title, article.status) == ("A corrected title", ArticleStatus.HIDDEN)
    messages = history(article)
    assert any("hide_article" in m for m in messages)
    assert any(m.startswith("Changed Title") for m in messages)
    assert not any("Status" in m for m in messages)


def test_source_change_form_deactivation_is_logged_by_name(staff: Client) -> None:
    """Unticking "active" on a source's form runs deactivate_source."""
    source = make_source()
    form = staff.get(f"/admin/sources/source/{source.pk}/change/").context["adminform"].form
    data = {
        name: ("" if form.initial.get(name) is None else form.initial.get(name))
        for name in form.fields
    }
    data.pop("active")
    data["next_fetch_at_0"] = source.next_fetch_at.strftime("%Y-%m-%d")
    data["next_fetch_at_1"] = source.next_fetch_at.strftime("%H:%M:%S")
    data.pop("next_fetch_at", None)
    response = staff.post(f"/admin/sources/source/{source.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Source.objects.get(pk=source.pk).active is False
    messages = history(source)
    assert messages[0] == "Deactivated the source (deactivate_source)."
    assert not any("Active" in m for m in messages)


def test_history_page_lists_the_named_actions(staff: Client, chief: User) -> None:
    """The admin's History page of an article shows the actions taken on it."""
    article = make_article()
    actions.hide_article(article, actor=chief)
    html = staff.get(f"/admin/stories/article/{article.pk}/history/").content.decode()
    assert "Hid the article (hide_article)." in html
