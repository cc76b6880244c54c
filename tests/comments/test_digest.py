"""Editors get one digest email per period of held comments, never one email per comment."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException
from typing import Any
from uuid import uuid4

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from newsdesk.comments import actions
from newsdesk.comments.digest import claim_slot, send_held_digests
from newsdesk.comments.models import Comment, EditorDigest, Status
from newsdesk.jobs import tasks
from newsdesk.stories.models import Article
from tests.comments.conftest import submission
from tests.site.factories import make_article, make_editor, make_source

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def held(article: Article, text: str) -> Comment:
    """A first-time commenter's comment, held by the policy."""
    result = actions.post_comment(
        submission(article, body=text, visitor_hash=uuid4().hex), article=article
    )
    assert result.comment is not None and result.comment.status == Status.PENDING
    return result.comment


def test_many_held_comments_make_one_email(article: Article) -> None:
    """Three held comments, then the job: one email to the editor listing all three."""
    for n in range(3):
        held(article, f"Held remark {n}")
    assert mail.outbox == []
    assert send_held_digests(T0) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["editor@newsroom.example"]
    assert "3 comments awaiting moderation" in message.subject
    assert all(f"Held remark {n}" in message.body for n in range(3))
    assert "policy: first comment from this author" in message.body
    assert "/moderation/?tab=pending" in message.body
    assert Comment.objects.filter(digested_at__isnull=True).count() == 0


def test_at_most_one_email_per_period(settings: Any, article: Article) -> None:
    """Comments held within the period wait for the next digest, which lists only them."""
    settings.NEWSDESK_COMMENTS_DIGEST_MINUTES = 30
    held(article, "First remark")
    assert send_held_digests(T0) == 1
    held(article, "Second remark")
    held(article, "Third remark")
    for minutes in (1, 10, 29):
        assert send_held_digests(T0 + timedelta(minutes=minutes)) == 0
    assert len(mail.outbox) == 1
    assert send_held_digests(T0 + timedelta(minutes=30)) == 1
    second = mail.outbox[1]
    assert "2 comments" in second.subject
    assert "Second remark" in second.body and "First remark" not in second.body
    assert send_held_digests(T0 + timedelta(minutes=90)) == 0  # nothing new: no email


def test_each_editor_gets_their_own(article: Article) -> None:
    """Comments on two editors' articles make one email to each, listing only theirs."""
    other_user = User.objects.create_user("other", "other@newsroom.example", "pw-not-used-2")
    other = make_article(source=make_source(editor=make_editor(user=other_user)))
    held(article, "On the bridge")
    held(other, "On the other story")
    assert send_held_digests(T0) == 2
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "On the bridge" in bodies["editor@newsroom.example"]
    assert "On the other story" not in bodies["editor@newsroom.example"]
    assert "On the other story" in bodies["other@newsroom.example"]


def test_moderated_before_the_digest_is_not_listed(article: Article, staff: User) -> None:
    """A comment a moderator already approved is not in the digest; none at all if nothing waits."""
    comment = held(article, "Approved quickly")
    actions.approve_comment(comment, staff)
    assert send_held_digests(T0) == 0
    assert mail.outbox == []


def test_no_editor_email_no_digest(article: Article) -> None:
    """Held comments on an article whose editor has no account stay in the queue, unmailed."""
    editor = article.source.editor
    assert editor is not None
    editor.user = None
    editor.save()
    held(Article.objects.get(pk=article.pk), "Nobody to tell")
    assert send_held_digests(T0) == 0
    assert mail.outbox == []


def test_failed_send_is_retried_next_run(monkeypatch: pytest.MonkeyPatch, article: Article) -> None:
    """When the mail server fails, the comments and the editor's slot wait for the next run."""
    held(article, "Waiting for mail")

    def broken(*args: Any, **kwargs: Any) -> int:
        raise SMTPException("relay down")

    monkeypatch.setattr("newsdesk.comments.notify.send_mail", broken)
    assert send_held_digests(T0) == 0
    assert Comment.objects.get().digested_at is None
    assert EditorDigest.objects.get().last_sent_at is None
    monkeypatch.undo()
    assert send_held_digests(T0 + timedelta(minutes=1)) == 1
    assert "Waiting for mail" in mail.outbox[0].body


def test_two_runners_cannot_both_take_the_slot(article: Article) -> None:
    """The slot is one conditional update: a second claim for the same period loses."""
    slot = EditorDigest.objects.create(recipient="editor@newsroom.example")
    rival = EditorDigest.objects.get(pk=slot.pk)  # read by the other runner at the same time
    assert claim_slot(slot, T0) is True
    assert claim_slot(rival, T0 + timedelta(seconds=1)) is False


def test_an_edit_held_again_is_listed_again(settings: Any, article: Article) -> None:
    """An approved comment edited into the queue appears in the next digest."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    result = actions.post_comment(submission(article), article=article)
    assert result.comment is not None
    actions.edit_comment(result.comment, "now with https://ad.example")
    assert send_held_digests(T0) == 1
    assert "edit adds a link" in mail.outbox[0].body


def test_celery_beat_and_task_send_the_digest(article: Article) -> None:
    """Beat schedules the digest every minute; the task calls the same function."""
    entry = django_settings.CELERY_BEAT_SCHEDULE["comment-digests"]
    assert (entry["task"], entry["schedule"]) == ("newsdesk.jobs.tasks.send_comment_digests", 60.0)
    held(article, "Via Celery")
    assert tasks.send_comment_digests_task.apply().get() == 1
    assert "Via Celery" in mail.outbox[0].body
