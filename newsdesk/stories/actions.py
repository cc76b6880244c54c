"""Named actions staff take on articles: hide, publish, feature, unfeature.

Each changes one article, saves only the field it changes, and leaves a log row
in the admin history (``core.staff_log``). The admin's actions, its list edits and
its change form all call these; nothing else changes an article's state for staff.
Each returns False, and logs nothing, when the article was already in that state.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from newsdesk.core.staff_log import log_staff_action
from newsdesk.stories.models import Article, ArticleStatus


def hide_article(article: Article, *, actor: AbstractBaseUser) -> bool:
    """Take an article off the site (its page answers 404, lists drop it)."""
    return _change(
        article, actor, "status", ArticleStatus.HIDDEN, "Hid the article (hide_article)."
    )


def publish_article(article: Article, *, actor: AbstractBaseUser) -> bool:
    """Put a hidden article back on the site."""
    return _change(
        article,
        actor,
        "status",
        ArticleStatus.PUBLISHED,
        "Published the article (publish_article).",
    )


def feature_article(article: Article, *, actor: AbstractBaseUser) -> bool:
    """Make an article a candidate for the home page lead."""
    return _change(article, actor, "featured", True, "Featured the article (feature_article).")


def unfeature_article(article: Article, *, actor: AbstractBaseUser) -> bool:
    """Stop featuring an article."""
    return _change(
        article, actor, "featured", False, "Stopped featuring the article (unfeature_article)."
    )


def set_article_state(article: Article, field: str, value: Any, *, actor: AbstractBaseUser) -> bool:
    """Apply a status or featured value chosen in a form through its named action."""
    if field == "status":
        action = hide_article if value == ArticleStatus.HIDDEN else publish_article
    elif field == "featured":
        action = feature_article if value else unfeature_article
    else:
        raise ValueError(f"not an article state field: {field}")
    return action(article, actor=actor)


STATE_FIELDS = ("status", "featured")


def _change(
    article: Article, actor: AbstractBaseUser, field: str, value: Any, message: str
) -> bool:
    if getattr(article, field) == value:
        return False
    setattr(article, field, value)
    with transaction.atomic():
        article.save(update_fields=[field])
        log_staff_action(actor, article, message)
    return True
