"""Named actions change a comment's state, write a log row each, and send the right emails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from newsdesk.comments import actions, guard
from newsdesk.comments.guard import Action
from newsdesk.comments.models import Comment, ModerationAction, ModerationLog, Status
from newsdesk.comments.notify import read_unsubscribe_token
from newsdesk.stories.models import Article
from tests.comments.conftest import submission

pytestmark = pytest.mark.django_db


def post(article: Article, parent: Comment | None = None, **overrides: Any) -> Comment:
    """Post through the guards as a fresh visitor each time (so no rate limit applies)."""
    overrides.setdefault("visitor_hash", uuid4().hex)
    result = actions.post_comment(submission(article, **overrides), article=article, parent=parent)
    assert result.comment is not None, result.judgement
    return result.comment


def test_first_comment_is_held_and_logged_for_the_digest(article: Article) -> None:
    """A first-time commenter's comment waits with its reason logged; no email goes at once."""
    comment = post(article)
    assert comment.status == Status.PENDING
    assert comment.held_reason == "policy: first comment from this author"
    row = ModerationLog.objects.get(comment=comment)
    assert (row.action, row.actor_label, row.to_status) == ("post", "guard", "pending")
    assert row.reason == comment.held_reason
    assert mail.outbox == []  # the editors' digest lists it (test_digest.py)
    assert comment.digested_at is None


def test_approved_comment_sends_no_moderation_email(settings: Any, article: Article) -> None:
    """Under approve_all the comment is published at once and nobody is asked to moderate."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    comment = post(article)
    assert comment.status == Status.APPROVED
    assert comment.body_html == "<p>A thoughtful remark about the bridge.</p>"
    assert mail.outbox == []


def test_rejected_submission_stores_nothing(article: Article) -> None:
    """A rejection leaves no comment and no log row."""
    result = actions.post_comment(submission(article, honeypot="x"), article=article)
    assert result.comment is None
    assert result.judgement.verdict.action == Action.REJECT
    assert Comment.objects.count() == 0
    assert ModerationLog.objects.count() == 0


def test_moderation_actions_each_write_a_log_row(article: Article, staff: User) -> None:
    """Approve, spam and delete record who did it, when, and the change of status."""
    comment = post(article)
    actions.approve_comment(comment, staff)
    actions.mark_spam(comment, staff, "link farm")
    actions.delete_comment(comment, staff)
    rows = list(ModerationLog.objects.filter(comment=comment).order_by("id"))
    assert [(r.action, r.from_status, r.to_status) for r in rows] == [
        ("post", "", "pending"),
        ("approve", "pending", "approved"),
        ("spam", "approved", "spam"),
        ("delete", "spam", "deleted"),
    ]
    assert all(r.actor == staff and r.actor_label == "moderator" for r in rows[1:])
    assert rows[2].reason == "link farm"
    assert all(r.created_at is not None for r in rows)
    comment.refresh_from_db()
    assert comment.status == Status.DELETED


def test_moderate_many_applies_bulk_action(article: Article, staff: User) -> None:
    """A bulk action changes every chosen comment and logs each one."""
    comments = [post(article, body=f"Comment number {i}") for i in range(3)]
    count = actions.moderate_many(
        Comment.objects.filter(pk__in=[c.pk for c in comments]), "approve", staff
    )
    assert count == 3
    assert set(Comment.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert ModerationLog.objects.filter(action=ModerationAction.APPROVE).count() == 3


def test_replies_thread_to_max_depth(settings: Any, article: Article) -> None:
    """Replies nest to NEWSDESK_COMMENTS_MAX_DEPTH levels; a deeper reply joins the last level."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    top = post(article, body="top")
    one = post(article, parent=top, body="one")
    two = post(article, parent=one, body="two")
    three = post(article, parent=two, body="three")
    assert [c.depth for c in (top, one, two, three)] == [0, 1, 2, 2]
    assert three.parent == one
    settings.NEWSDESK_COMMENTS_MAX_DEPTH = 1
    flat = post(article, parent=top, body="flat")
    assert (flat.parent, flat.depth) == (None, 0)


def test_reply_emails_parent_author_who_opted_in(settings: Any, article: Article) -> None:
    """An approved reply emails the parent's author once, with a working opt-out link."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    parent = actions.post_comment(
        submission(article, email="parent@example.org", body="parent"),
        article=article,
        notify=True,
    ).comment
    assert parent is not None and parent.notify
    post(article, parent=parent, email="", name="Replier", body="a reply")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["parent@example.org"]
    assert "Replier replied" in mail.outbox[0].subject
    token = mail.outbox[0].body.split("/comments/unsubscribe/")[1].split("/")[0]
    assert read_unsubscribe_token(token) == parent.pk


def test_edit_within_window_rerenders_and_logs(article: Article) -> None:
    """The author's edit inside the window replaces text and HTML and is logged."""
    comment = post(article)
    edited = actions.edit_comment(comment, "Now *better*")
    assert edited.body_html == "<p>Now <em>better</em></p>"
    assert edited.edited_at is not None
    assert ModerationLog.objects.filter(
        comment=comment, action="edit", actor_label="author"
    ).exists()


def test_edit_after_window_fails(article: Article) -> None:
    """Sixteen minutes after posting, the author can neither edit nor delete."""
    comment = post(article, now=timezone.now() - timedelta(minutes=16))
    assert not actions.author_may_change(comment)
    with pytest.raises(actions.EditWindowClosed):
        actions.edit_comment(comment, "too late")
    with pytest.raises(actions.EditWindowClosed):
        actions.delete_comment(comment)
    comment.refresh_from_db()
    assert comment.body == "A thoughtful remark about the bridge."


def test_window_edge(settings: Any, article: Article) -> None:
    """The window is NEWSDESK_COMMENTS_EDIT_MINUTES long, measured from posting."""
    comment = post(article)
    now = comment.created_at
    assert actions.author_may_change(comment, now + timedelta(minutes=14, seconds=59))
    assert not actions.author_may_change(comment, now + timedelta(minutes=15))
    settings.NEWSDESK_COMMENTS_EDIT_MINUTES = 0
    assert not actions.author_may_change(comment, now)


def test_edit_adding_links_holds_an_approved_comment(settings: Any, article: Article) -> None:
    """An approved comment edited to carry 2 links goes back to the queue with the reason."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    comment = post(article)
    Comment.objects.filter(pk=comment.pk).update(digested_at=timezone.now())
    edited = actions.edit_comment(comment, "http://a.example http://b.example")
    assert edited.status == Status.PENDING
    assert edited.held_reason.startswith("links: 2 links")
    assert edited.digested_at is None  # the next digest lists it again


@pytest.mark.parametrize(
    ("policy", "hold_words", "new_text", "held_by"),
    [
        # One link turns a harmless remark into an advert: back to the queue.
        ("approve_all", [], "Great deals at https://pills.example today", "links: edit adds"),
        ("approve_all", ["casino"], "Try the casino instead", "hold_words"),
        ("hold_all", [], "Just a clearer wording", "policy: site holds every comment"),
        # hold_first: the author's own cookie-proven approval keeps a clean edit public...
        ("hold_first", [], "Just a clearer wording", None),
        # ...but not an edit that adds a link.
        ("hold_first", [], "Now with https://ad.example", "links: edit adds"),
    ],
)
def test_editing_an_approved_comment_runs_the_policy_again(
    settings: Any,
    article: Article,
    policy: str,
    hold_words: list[str],
    new_text: str,
    held_by: str | None,
) -> None:
    """An approved comment's edit is judged like a new comment: it may go back to the queue."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    comment = post(article, author_key="k" * 64)
    assert comment.status == Status.APPROVED
    settings.NEWSDESK_COMMENTS_POLICY = policy
    settings.NEWSDESK_COMMENTS_HOLD_WORDS = hold_words
    edited = actions.edit_comment(comment, new_text)
    if held_by is None:
        assert edited.status == Status.APPROVED
    else:
        assert edited.status == Status.PENDING
        assert held_by in edited.held_reason
        log = ModerationLog.objects.filter(comment=comment, action="edit").get()
        assert (log.from_status, log.to_status) == ("approved", "pending")
    assert edited.body == new_text


def test_a_moderators_edit_is_not_judged(settings: Any, article: Article, staff: User) -> None:
    """Staff may edit a comment (say, to remove a link) without sending it to the queue."""
    settings.NEWSDESK_COMMENTS_POLICY = "hold_all"
    comment = post(article)
    actions.approve_comment(comment, staff)
    edited = actions.edit_comment(comment, "see https://a.example and https://b.example", staff)
    assert edited.status == Status.APPROVED


def test_edit_into_another_comments_text_is_refused(settings: Any, article: Article) -> None:
    """Editing a comment into the exact text of another on the article is refused, not a 500."""
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    post(article, body="The first text")
    second = post(article, body="The second text")
    with pytest.raises(actions.EditRejected, match="already on this article"):
        actions.edit_comment(second, "the FIRST   text")


def test_a_post_losing_the_race_is_a_clean_rejection(
    monkeypatch: pytest.MonkeyPatch, settings: Any, article: Article
) -> None:
    """When the same text is stored between judging and storing, the post is rejected, not a 500.

    The guard saw no duplicate; the database constraint still refuses the second copy.
    """
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    real_judge = guard.judge

    def judge_then_lose(sub: Any, *args: Any) -> Any:
        judgement = real_judge(sub, *args)
        # The concurrent request stores the same text first.
        Comment.objects.create(
            article=article,
            name="Rival",
            body=sub.body,
            body_html="<p>rival</p>",
            body_hash=sub.body_hash,
            status=Status.APPROVED,
            visitor_hash="r" * 32,
        )
        return judgement

    monkeypatch.setattr(guard, "judge", judge_then_lose)
    result = actions.post_comment(submission(article, visitor_hash=uuid4().hex), article=article)
    assert result.comment is None
    assert result.judgement.verdict.guard == "duplicate"
    assert Comment.objects.count() == 1


def test_edit_with_banned_word_is_refused(settings: Any, article: Article) -> None:
    """An edit that brings in a banned word is refused and the text stays."""
    settings.NEWSDESK_COMMENTS_BLOCK_WORDS = ["spamword"]
    comment = post(article)
    with pytest.raises(actions.EditRejected):
        actions.edit_comment(comment, "now with spamword")
    comment.refresh_from_db()
    assert "spamword" not in comment.body
