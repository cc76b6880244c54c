"""Retire cached pages when what they show changes, by bumping the page generation.

Model signals cover every ``save()`` and ``delete()``: articles stored or updated
by the pipeline, comments approved, edited or removed, categories, editors and
sources edited in the admin. Bulk writes send no signal; the Understand stage
and story editing bump through ``stories.refresh.refresh_stories``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from newsdesk.comments.models import Comment, Status
from newsdesk.core.pages import bump_generation
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article, Story

# Source fields a public page shows; the crawler's bookkeeping (ETag, next fetch...)
# is saved on every fetch and changes nothing a reader sees.
SHOWN_SOURCE_FIELDS = frozenset({"name", "site_url", "category", "editor", "language", "active"})


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    bump_generation()


def _source_saved(sender: type[Source], instance: Source, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if fields is None or SHOWN_SOURCE_FIELDS.intersection(fields):
        bump_generation()


def _comment_saved(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    # A new comment waiting for a moderator shows only to its author, who bypasses the cache.
    if kwargs.get("created") and instance.status != Status.APPROVED:
        return
    bump_generation()


def connect_signals() -> None:
    """Bump the page generation on every change a public page shows."""
    saved: list[type[models.Model]] = [Article, Story, Category, Editor]
    for model in saved:
        post_save.connect(_changed, sender=model, dispatch_uid=f"pages-{model.__name__}-save")
    deleted: list[type[models.Model]] = [*saved, Source, Comment]
    for model in deleted:
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pages-{model.__name__}-del")
    post_save.connect(_source_saved, sender=Source, dispatch_uid="pages-Source-save")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="pages-Comment-save")
