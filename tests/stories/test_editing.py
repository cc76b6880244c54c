"""Editors' story actions: merge, split, detach, rename; each logged; the stage respects them."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from newsdesk.stories.editing import (
    EditingError,
    detach_article,
    merge_stories,
    rename_story,
    split_story,
)
from newsdesk.stories.export import FIELDS
from newsdesk.stories.models import Article, ArticleStatus, Story
from newsdesk.stories.stage import reset_state, understand_new_articles
from tests.site.factories import make_source
from tests.stories.helpers import event, store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    reset_state()


@pytest.fixture
def editor() -> object:
    return get_user_model().objects.create_user("desk", password="x", is_staff=True)


def two_stories() -> tuple[list[Article], list[Article]]:
    first = [store(a) for a in event(56)[:3]]
    second = [store(a) for a in event(12)[:2]]
    understand_new_articles()
    for article in first + second:
        article.refresh_from_db()
    return first, second


def logged(obj: object) -> list[str]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk)).values_list("change_message", flat=True)  # type: ignore[attr-defined]
    )


def test_merge_moves_every_article_and_logs_it(editor: object) -> None:
    """Merging leaves one story with all the articles; the absorbed story is gone."""
    first, second = two_stories()
    target = Story.objects.get(pk=first[0].story_id)
    other = Story.objects.get(pk=second[0].story_id)
    merged = merge_stories(target, [other], actor=editor)  # type: ignore[arg-type]
    assert merged.article_count == 5
    assert not Story.objects.filter(pk=other.pk).exists()
    assert any("merge_stories" in m for m in logged(target))
    assert any("merge_stories" in m for m in logged(second[0]))
    with pytest.raises(EditingError):
        merge_stories(target, [target], actor=editor)  # type: ignore[arg-type]


def test_split_and_detach_make_new_stories_that_stay(editor: object) -> None:
    """Split and detach take articles out; the stage does not pull them back."""
    first, _ = two_stories()
    old = first[0].story_id
    new = split_story([first[1]], actor=editor)  # type: ignore[arg-type]
    own = detach_article(first[2], actor=editor)  # type: ignore[arg-type]
    store(event(56)[3])  # another report arrives; the stage runs again
    understand_new_articles()
    assert Article.objects.get(pk=first[1].pk).story_id == new.pk
    assert Article.objects.get(pk=first[2].pk).story_id == own.pk
    assert Story.objects.get(pk=old).article_count >= 1
    assert any("split_story" in m for m in logged(first[1]))
    assert any("detach_article" in m for m in logged(first[2]))
    with pytest.raises(EditingError):
        detach_article(Article.objects.get(pk=first[2].pk), actor=editor)  # type: ignore[arg-type]


def test_an_edited_headline_survives_new_reports(editor: object) -> None:
    """The stage keeps an editor's headline; clearing it gives the first report's title back."""
    first, _ = two_stories()
    story = Story.objects.get(pk=first[0].story_id)
    rename_story(story, "  Comedian couple split  ", actor=editor)  # type: ignore[arg-type]
    store(event(56)[4])
    understand_new_articles()
    story.refresh_from_db()
    assert story.headline == "Comedian couple split" and story.headline_edited
    rename_story(story, "", actor=editor)  # type: ignore[arg-type]
    story.refresh_from_db()
    assert not story.headline_edited and story.headline == story.first_article.title  # type: ignore[union-attr]
    assert sum("rename_story" in m for m in logged(story)) == 2


def test_admin_actions_call_the_named_actions(client: Client) -> None:
    """The admin's merge and detach actions change stories and leave log rows."""
    client.force_login(get_user_model().objects.create_superuser("boss", password="pw-for-tests"))
    first, second = two_stories()
    ids = [first[0].story_id, second[0].story_id]
    response = client.post(
        "/admin/stories/story/", {"action": "merge", "_selected_action": ids}, follow=True
    )
    assert response.status_code == 200
    assert Story.objects.count() == 1
    client.post(
        "/admin/stories/article/",
        {"action": "detach_from_story", "_selected_action": [first[0].pk]},
        follow=True,
    )
    assert Story.objects.count() == 2
    assert LogEntry.objects.filter(change_message__contains="detach_article").exists()


def test_export_is_one_object_per_article_with_the_contract_fields() -> None:
    """JSON Lines with exactly url, source, published_at, story, reprint_of, first_in_story."""
    original = event(5)[0]
    first = store(original, source=make_source(name="Wire"))
    copy = store(
        original,
        source=make_source(name="Copyist"),
        url="https://copyist.example/a",
        canonical_url="https://copyist.example/a",
        published_at=original.published + timedelta(hours=2),
    )
    hidden = store(event(12)[0], status=ArticleStatus.HIDDEN)
    understand_new_articles()
    out = StringIO()
    call_command("stories", "export", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [tuple(row) for row in rows] == [FIELDS] * 3
    by_url = {row["url"]: row for row in rows}
    assert by_url[first.url] == {
        "url": first.url,
        "source": "Wire",
        "published_at": first.published_at.isoformat(),
        "story": Article.objects.get(pk=first.pk).story_id,
        "reprint_of": None,
        "first_in_story": True,
    }
    assert by_url[copy.url]["reprint_of"] == first.url
    assert by_url[copy.url]["first_in_story"] is False
    assert by_url[copy.url]["story"] == by_url[first.url]["story"]
    assert by_url[hidden.url]["story"] is None and by_url[hidden.url]["first_in_story"] is False
