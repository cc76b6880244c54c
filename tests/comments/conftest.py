"""Fixtures for comment tests: an article with an editor who has an email, clean counters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from newsdesk.comments.guard import Submission
from newsdesk.comments.stamps import issue_stamp
from newsdesk.stories.models import Article
from newsdesk.visitors import salts
from tests.site.factories import make_article, make_editor, make_source


@pytest.fixture(autouse=True)
def _comment_settings(settings: Any) -> Iterator[None]:
    """Start each test from the documented defaults and empty rate counters."""
    settings.NEWSDESK_COMMENTS_POLICY = "hold_first"
    settings.NEWSDESK_COMMENTS_MAX_DEPTH = 3
    settings.NEWSDESK_COMMENTS_HOLD_WORDS = []
    settings.NEWSDESK_COMMENTS_BLOCK_WORDS = []
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 3
    settings.NEWSDESK_COMMENTS_EDIT_MINUTES = 15
    settings.NEWSDESK_AKISMET_KEY = ""
    settings.NEWSDESK_AKISMET_URL = ""
    settings.NEWSDESK_COMMENTS_DIGEST_MINUTES = 30
    settings.NEWSDESK_TRUSTED_PROXIES = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Fast hashing: these tests create users, not test password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    salts.forget_salts(date.max)  # salts cached from rolled-back databases
    yield
    cache.clear()
    salts.forget_salts(date.max)


@pytest.fixture
def editor_user(db: None) -> User:
    return User.objects.create_user("editor", "editor@newsroom.example", "pw-not-used-1")


@pytest.fixture
def article(editor_user: User) -> Article:
    editor = make_editor(display_name="Ada Editor", user=editor_user)
    return make_article(source=make_source(editor=editor), title="Council approves new bridge")


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_user(
        "moderator", "mod@newsroom.example", "moderator-pass-1", is_staff=True
    )


def stamp_for(
    article: Article, seconds_ago: float = 60, address: str = "127.0.0.1", **headers: str
) -> str:
    """A stamp issued ``seconds_ago`` to the reader at ``address`` (Django's test client host)."""
    request = RequestFactory().get("/", REMOTE_ADDR=address, headers=headers)
    return issue_stamp(request, article.pk, timezone.now() - timedelta(seconds=seconds_ago))


def submission(article: Article, **overrides: Any) -> Submission:
    """A submission that passes every guard unless overridden."""
    now: datetime = overrides.pop("now", timezone.now())
    fields: dict[str, Any] = {
        "article_id": article.pk,
        "name": "Reader One",
        "email": "reader@example.org",
        "body": "A thoughtful remark about the bridge.",
        "now": now,
        "visitor_hash": "v" * 32,
        "rendered_at": now.timestamp() - 60,
        "stamp_nonce": uuid4().hex,
    }
    fields.update(overrides)
    return Submission(**fields)


def form_data(article: Article, address: str = "127.0.0.1", **overrides: Any) -> dict[str, Any]:
    """POST data of a comment form filled in by a person who took their time."""
    data: dict[str, Any] = {
        "name": "Reader One",
        "email": "reader@example.org",
        "body": "A thoughtful remark about the bridge.",
        "stamp": stamp_for(article, address=address),
        "website": "",
        "parent": "",
    }
    data.update(overrides)
    return data
