"""Named actions editors take on stories: merge, split, detach, and rename.

Each runs in one transaction that first advances the Understand stage's lease
generation (``invalidate_stage``): a stage batch running at the same moment is
either written before (and the action sees it) or fenced out and redone from
the database, so an editor's change is never overwritten by a stale index. Each
leaves log rows in the admin history (Django admin's ``LogEntry``, as the
article actions do) on every story and article it changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from newsdesk.stories.models import Article, Story
from newsdesk.stories.refresh import refresh_stories


def invalidate_stage() -> None:
    """Advance the Understand stage's lease generation (``stage.invalidate_stage``).

    Imported when called: the stage module loads the near-duplicate index
    (numpy and the clustering tables), which the admin, and so every web worker, would
    otherwise hold in memory from the start.
    """
    from newsdesk.stories import stage

    stage.invalidate_stage()


class EditingError(ValueError):
    """An editor's action that cannot be done as asked (nothing was changed)."""


def merge_stories(target: Story, others: Iterable[Story], *, actor: AbstractBaseUser) -> Story:
    """Move every article of ``others`` into ``target`` and delete the emptied stories."""
    absorbed = [story for story in others if story.pk != target.pk]
    if not absorbed:
        raise EditingError("choose at least one other story to merge")
    with transaction.atomic():
        invalidate_stage()
        ids = [story.pk for story in absorbed]
        moved = list(Article.objects.filter(story_id__in=ids))
        Article.objects.filter(story_id__in=ids).update(story=target)
        names = ", ".join(f"#{pk}" for pk in ids)
        _log(actor, target, f"Merged stories {names} into this story (merge_stories).")
        for article in moved:
            _log(actor, article, f"Moved to story #{target.pk} by a merge (merge_stories).")
        Story.objects.filter(pk__in=ids).delete()
        refresh_stories([target.pk])
    target.refresh_from_db()
    return target


def split_story(articles: Iterable[Article], *, actor: AbstractBaseUser) -> Story:
    """Take ``articles`` out of their stories into one new story of their own."""
    chosen = list(articles)
    if not chosen:
        raise EditingError("choose the articles that make the new story")
    with transaction.atomic():
        invalidate_stage()
        story = Story.objects.create(created_at=timezone.now())
        left = {article.story_id for article in chosen if article.story_id is not None}
        Article.objects.filter(pk__in=[a.pk for a in chosen]).update(
            story=story, understood_at=timezone.now()
        )
        _log(actor, story, f"Split {len(chosen)} article(s) into this story (split_story).")
        for article in chosen:
            _log(actor, article, f"Split from story #{article.story_id} (split_story).")
        refresh_stories(left | {story.pk})
    story.refresh_from_db()
    return story


def detach_article(article: Article, *, actor: AbstractBaseUser) -> Story:
    """Take one article out of its story into a story of its own, where it stays."""
    if article.story_id is not None and (
        Article.objects.filter(story_id=article.story_id).exclude(pk=article.pk).count() == 0
    ):
        raise EditingError("the article is already alone in its story")
    with transaction.atomic():
        invalidate_stage()
        former = article.story_id
        story = Story.objects.create(created_at=timezone.now())
        Article.objects.filter(pk=article.pk).update(story=story, understood_at=timezone.now())
        _log(actor, article, f"Detached from story #{former} (detach_article).")
        _log(actor, story, f"Created for article #{article.pk} (detach_article).")
        refresh_stories({story.pk} | ({former} if former else set()))
    article.refresh_from_db()
    return story


def rename_story(story: Story, headline: str, *, actor: AbstractBaseUser) -> Story:
    """Give a story an editor's headline; an empty one gives it back to the stage."""
    headline = " ".join(headline.split())[:1000]
    with transaction.atomic():
        invalidate_stage()
        story.headline = headline
        story.headline_edited = bool(headline)
        story.save(update_fields=["headline", "headline_edited"])
        if headline:
            _log(actor, story, f"Headline set to {headline!r} (rename_story).")
        else:
            _log(actor, story, "Headline given back to the first report (rename_story).")
        refresh_stories([story.pk])
    story.refresh_from_db()
    return story


def _log(actor: AbstractBaseUser, obj: models.Model, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
