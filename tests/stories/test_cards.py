"""The listings' story cards (stories/cards.py) stay what ``one_per_story`` picks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories import cards
from newsdesk.stories.actions import hide_article, publish_article
from newsdesk.stories.editing import detach_article, merge_stories, split_story
from newsdesk.stories.models import Article, CardKind, ListingCard, Story
from newsdesk.stories.queries import one_per_story
from newsdesk.stories.stage import reset_state, understand_new_articles
from tests.site.factories import make_article, make_category, make_editor, make_source
from tests.stories.helpers import event, store, store_older_copy_second, store_republished

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    reset_state()


def expected_cards() -> set[tuple[int, int, int]]:
    """Every listing's cards as ``one_per_story`` picks them: (kind, scope, article)."""
    listed = Article.objects.published()
    found = {
        (CardKind.LATEST.value, 0, pk) for pk in one_per_story(listed).values_list("pk", flat=True)
    }
    for kind, model, field in (
        (CardKind.CATEGORY.value, Category, "source__category"),
        (CardKind.EDITOR.value, Editor, "source__editor"),
    ):
        for scope in model.objects.values_list("pk", flat=True):
            picked = one_per_story(listed.filter(**{field: scope})).values_list("pk", flat=True)
            found |= {(kind, scope, pk) for pk in picked}
    return found


def stored_cards() -> list[tuple[int, int, int]]:
    return list(ListingCard.objects.values_list("kind", "scope_id", "article_id"))


def assert_cards_right() -> None:
    """The stored cards are the expected ones, each once, with the article's time and source."""
    stored = stored_cards()
    assert len(stored) == len(set(stored)), "a card is stored twice"
    assert set(stored) == expected_cards()
    for card in ListingCard.objects.all():
        article = Article.objects.get(pk=card.article_id)
        assert (card.published_at, card.source_id, card.story_id) == (
            article.published_at,
            article.source_id,
            article.story_id,
        )


@pytest.fixture
def staff() -> object:
    return get_user_model().objects.create_user("desk", password="x", is_staff=True)


def desk() -> tuple[Source, Source, Source]:
    """Three sources over two sections and two editors."""
    sport, world = make_category(name="Sport"), make_category(name="World")
    anna, ben = make_editor(display_name="Anna"), make_editor(display_name="Ben")
    return (
        make_source(category=sport, editor=anna),
        make_source(category=world, editor=anna),
        make_source(category=world, editor=ben),
    )


def test_new_articles_placed_by_the_stage_and_reprints_keep_one_card_per_story() -> None:
    """Unplaced articles show at once; once placed (copies too) each story shows one card."""
    original = event(5)[0]
    first = store(original)
    copy = store_republished(original)
    others = [store(a) for a in event(4)[:3]]
    assert {pk for _, _, pk in stored_cards()} >= {first.pk, copy.pk, *(a.pk for a in others)}
    assert_cards_right()
    understand_new_articles()
    copy.refresh_from_db()
    assert copy.reprint_of_id == first.pk
    latest = {pk for kind, _, pk in stored_cards() if kind == CardKind.LATEST}
    assert first.pk in latest and copy.pk not in latest
    assert_cards_right()


def test_an_older_copy_stored_later_takes_the_card_of_its_group() -> None:
    """When the copy arriving second was published first, the group (and card) moves to it."""
    store_older_copy_second(event(6)[0])
    assert_cards_right()


def test_merge_split_and_detach_move_the_cards(staff: object) -> None:
    """An editor's merge, split and detach leave each story with its one right card."""
    first = [store(a) for a in event(56)[:3]]
    second = [store(a) for a in event(12)[:2]]
    understand_new_articles()
    for article in first + second:
        article.refresh_from_db()
    assert_cards_right()
    target = Story.objects.get(pk=first[0].story_id)
    merge_stories(target, [Story.objects.get(pk=second[0].story_id)], actor=staff)
    assert_cards_right()
    split_story(Article.objects.filter(pk__in=[first[1].pk, second[0].pk]), actor=staff)
    assert_cards_right()
    detach_article(Article.objects.get(pk=first[2].pk), actor=staff)
    assert_cards_right()


def test_hide_publish_and_the_stage_releasing_keep_cards_right(staff: object) -> None:
    """A hidden lead gives its story's card to the next report at once, not at the next run."""
    now = timezone.now()
    a, b, c = desk()
    story = Story.objects.create(headline="An event")
    older = make_article(source=a, story=story, published_at=now - timedelta(hours=2))
    newer = make_article(source=b, story=story, published_at=now - timedelta(hours=1))
    make_article(source=c, story=story, reprint_of=older, published_at=now)
    assert_cards_right()
    assert hide_article(newer, actor=staff)
    assert (CardKind.LATEST, 0, older.pk) in stored_cards()
    assert_cards_right()
    understand_new_articles()  # releases the hidden article from its story
    assert_cards_right()
    assert publish_article(Article.objects.get(pk=newer.pk), actor=staff)
    assert_cards_right()


def test_source_deactivated_moved_or_given_another_editor_moves_its_cards() -> None:
    """A source's active flag, section and editor decide which listings its reports stand on."""
    now = timezone.now()
    a, b, c = desk()
    story = Story.objects.create(headline="An event")
    for n, source in enumerate((a, b, c, a)):
        make_article(source=source, story=story, published_at=now - timedelta(hours=n))
    make_article(source=b, published_at=now - timedelta(minutes=5))  # unplaced
    assert_cards_right()
    a.active = False
    a.save()
    assert_cards_right()
    b.category = a.category
    b.save()
    assert_cards_right()
    Source.objects.filter(pk=c.pk).update(editor=None)
    assert_cards_right()
    a.active = True
    a.save()
    assert_cards_right()


def test_deleted_articles_stories_and_sources_leave_no_card() -> None:
    """Deleting a lead hands the card on; deleting a story or a source removes its cards."""
    now = timezone.now()
    a, b, c = desk()
    story = Story.objects.create(headline="An event")
    lead = make_article(source=a, story=story, published_at=now)
    make_article(source=b, story=story, published_at=now - timedelta(hours=1))
    other = Story.objects.create(headline="Another")
    make_article(source=c, story=other, published_at=now)
    make_article(source=b, story=other, published_at=now - timedelta(hours=3))
    lead.delete()
    assert_cards_right()
    other.delete()  # its articles stay, unplaced: each stands for itself
    assert_cards_right()
    b.delete()
    assert_cards_right()
    assert ListingCard.objects.exists()


def test_edited_publication_time_and_copy_link_move_the_card() -> None:
    """A report's time or copy link changed by any code (``QuerySet.update``) moves the card."""
    now = timezone.now()
    a, b, _ = desk()
    story = Story.objects.create(headline="An event")
    one = make_article(source=a, story=story, published_at=now - timedelta(hours=2))
    two = make_article(source=b, story=story, published_at=now - timedelta(hours=1))
    Article.objects.filter(pk=one.pk).update(published_at=now)
    assert_cards_right()
    Article.objects.filter(pk=one.pk).update(reprint_of=two)
    assert_cards_right()


def test_rebuild_gives_the_same_cards_as_the_triggers() -> None:
    """Filling the table again from the articles (a migration, a bulk load) changes nothing."""
    now = timezone.now()
    a, b, c = desk()
    for n in range(3):
        story = Story.objects.create(headline=f"Event {n}")
        for k, source in enumerate((a, b, c)[: n + 1]):
            make_article(
                source=source, story=story, published_at=now - timedelta(hours=n, minutes=k)
            )
    make_article(source=c, published_at=now)
    kept = sorted(stored_cards())
    cards.rebuild(connection)
    assert sorted(stored_cards()) == kept
    assert_cards_right()
