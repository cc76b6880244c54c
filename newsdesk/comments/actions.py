"""Every change of a comment's state, each a named function that writes its log row.

Errors, for views to turn into messages::

    CommentError
    ├── EditWindowClosed   the author's edit/delete window has passed
    └── EditRejected       the new text trips a rejecting guard
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from newsdesk.comments import guard
from newsdesk.comments.guard import Action, Judgement, Submission
from newsdesk.comments.markdown import render_markdown
from newsdesk.comments.models import Comment, ModerationAction, ModerationLog, Status
from newsdesk.comments.notify import notify_editor, notify_parent_author
from newsdesk.stories.models import Article

logger = logging.getLogger(__name__)

Actor = User | AnonymousUser | None

STATUS_FOR_ACTION = {
    Action.ACCEPT: Status.APPROVED,
    Action.HOLD: Status.PENDING,
    Action.SPAM: Status.SPAM,
}
# Guards that judge the text itself; an author's edit runs these again.
CONTENT_GUARDS: tuple[guard.Guard, ...] = (
    guard.check_banned_words,
    guard.check_links,
    guard.check_hold_words,
)


class CommentError(Exception):
    """A comment change that cannot be made."""


class EditWindowClosed(CommentError):
    """The author's window for editing or deleting has passed."""


class EditRejected(CommentError):
    """The edited text trips a rejecting guard."""


@dataclass(frozen=True)
class PostResult:
    """A judged submission and the comment stored for it (None when rejected)."""

    judgement: Judgement
    comment: Comment | None


def _actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _label(actor: Actor, default: str) -> str:
    user = _actor_user(actor)
    return user.get_username() if user is not None else default


def log_action(
    comment: Comment,
    action: ModerationAction,
    *,
    actor: Actor,
    from_status: str,
    label: str = "author",
    reason: str = "",
) -> ModerationLog:
    """Write one moderation log row."""
    return ModerationLog.objects.create(
        comment=comment,
        actor=_actor_user(actor),
        actor_label=_label(actor, label),
        action=action,
        from_status=from_status,
        to_status=comment.status,
        reason=reason[:500],
    )


def place_reply(parent: Comment | None, max_depth: int) -> tuple[Comment | None, int]:
    """Return the parent and depth for a reply, climbing up when the thread is at its limit."""
    if parent is None or max_depth <= 1:
        return None, 0
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = parent.parent
    return parent, (0 if parent is None else parent.depth + 1)


def post_comment(
    sub: Submission, *, article: Article, parent: Comment | None = None, notify: bool = False
) -> PostResult:
    """Judge a submission; store it approved, held or as spam, or reject it."""
    judgement = guard.judge(sub)
    extra = {
        "article": article.pk,
        "action": judgement.verdict.action.value,
        "reason": judgement.reason,
    }
    if judgement.verdict.action == Action.REJECT:
        logger.warning("comment rejected", extra=extra)
        return PostResult(judgement, None)
    parent, depth = place_reply(parent, int(settings.NEWSDESK_COMMENTS_MAX_DEPTH))
    # Two autocommit inserts rather than one transaction: the log row is
    # secondary, and plain inserts stay safe when SQLite serializes writers.
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=depth,
        name=sub.name,
        email=sub.email,
        notify=notify and bool(sub.email),
        body=sub.body,
        body_html=render_markdown(sub.body),
        body_hash=sub.body_hash,
        status=STATUS_FOR_ACTION[judgement.verdict.action],
        held_reason=judgement.reason[:500],
        visitor_hash=sub.visitor_hash,
        created_at=sub.now,
    )
    log_action(
        comment,
        ModerationAction.POST,
        actor=None,
        from_status="",
        label="guard",
        reason=judgement.reason,
    )
    logger.info("comment stored", extra={**extra, "comment": comment.pk})
    if comment.status == Status.PENDING:
        notify_editor(comment)
    elif comment.status == Status.APPROVED:
        notify_parent_author(comment)
    return PostResult(judgement, comment)


def _moderate(
    comment: Comment, to_status: Status, action: ModerationAction, actor: Actor, reason: str
) -> Comment:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status"])
        log_action(locked, action, actor=actor, from_status=from_status, reason=reason)
    comment.status = to_status
    return locked


def approve_comment(comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """Publish a comment; tell the parent's author about the reply if they asked."""
    was = comment.status
    approved = _moderate(comment, Status.APPROVED, ModerationAction.APPROVE, actor, reason)
    if was != Status.APPROVED:
        notify_parent_author(approved)
    return approved


def mark_spam(comment: Comment, actor: Actor, reason: str = "") -> Comment:
    """File a comment as spam: hidden, kept for the record."""
    return _moderate(comment, Status.SPAM, ModerationAction.SPAM, actor, reason)


def edit_deadline(comment: Comment) -> datetime:
    """Return when the author's window for editing and deleting closes."""
    return comment.created_at + timedelta(minutes=int(settings.NEWSDESK_COMMENTS_EDIT_MINUTES))


def author_may_change(comment: Comment, now: datetime | None = None) -> bool:
    """Tell whether the author may still edit or delete the comment."""
    if comment.status in (Status.DELETED, Status.SPAM):
        return False
    return (now or timezone.now()) < edit_deadline(comment)


def delete_comment(comment: Comment, actor: Actor = None, reason: str = "") -> Comment:
    """Hide a comment for good; without a staff actor, only within the author's window."""
    if _actor_user(actor) is None and not author_may_change(comment):
        raise EditWindowClosed("the time to delete this comment has passed")
    return _moderate(comment, Status.DELETED, ModerationAction.DELETE, actor, reason)


def edit_comment(comment: Comment, body: str, actor: Actor = None) -> Comment:
    """Replace a comment's text; an author's edit is judged again and may be held."""
    now = timezone.now()
    if _actor_user(actor) is None and not author_may_change(comment, now):
        raise EditWindowClosed("the time to edit this comment has passed")
    sub = Submission(
        article_id=comment.article_id,
        name=comment.name,
        email=comment.email,
        body=body,
        now=now,
        visitor_hash=comment.visitor_hash,
    )
    judgement = guard.judge(sub, CONTENT_GUARDS)
    if judgement.verdict.action == Action.REJECT:
        raise EditRejected(judgement.verdict.reason)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        from_status = locked.status
        if judgement.verdict.action == Action.HOLD and _actor_user(actor) is None:
            locked.status = Status.PENDING
            locked.held_reason = judgement.reason[:500]
        locked.body = body
        locked.body_html = render_markdown(body)
        locked.body_hash = sub.body_hash
        locked.edited_at = now
        locked.save()
        log_action(
            locked,
            ModerationAction.EDIT,
            actor=actor,
            from_status=from_status,
            reason=judgement.reason,
        )
    if locked.status == Status.PENDING and from_status != Status.PENDING:
        notify_editor(locked)
    return locked


MODERATION_ACTIONS = {
    "approve": approve_comment,
    "spam": mark_spam,
    "delete": delete_comment,
}


def moderate_many(comments: Iterable[Comment], action: str, actor: Actor) -> int:
    """Apply one moderation action to many comments; return how many were changed."""
    apply = MODERATION_ACTIONS[action]
    count = 0
    for comment in comments:
        apply(comment, actor)
        count += 1
    return count
