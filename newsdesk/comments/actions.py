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
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsdesk.comments import guard
from newsdesk.comments.guard import Action, Judgement, Submission, Verdict
from newsdesk.comments.markdown import count_links, render_markdown
from newsdesk.comments.models import Comment, ModerationAction, ModerationLog, Status
from newsdesk.comments.notify import notify_parent_author
from newsdesk.stories.models import Article

logger = logging.getLogger(__name__)

Actor = User | AnonymousUser | None

STATUS_FOR_ACTION = {
    Action.ACCEPT: Status.APPROVED,
    Action.HOLD: Status.PENDING,
    Action.SPAM: Status.SPAM,
}
DUPLICATE_TEXT = "the same text is already on this article"


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
    try:
        # Its own transaction, so a lost race leaves a usable connection (PostgreSQL).
        # The log row is written apart: secondary, and SQLite serializes writers.
        with transaction.atomic():
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
                author_key=sub.author_key,
                stamp=sub.stamp_nonce or None,
                created_at=sub.now,
            )
    except IntegrityError:
        # Another request stored the same text or used the same stamp a moment ago.
        lost = _lost_race(sub)
        logger.warning("comment rejected", extra={**extra, "reason": lost.reason})
        return PostResult(Judgement(lost, (lost,)), None)
    log_action(
        comment,
        ModerationAction.POST,
        actor=None,
        from_status="",
        label="guard",
        reason=judgement.reason,
    )
    logger.info("comment stored", extra={**extra, "comment": comment.pk})
    # Held comments reach the editor in the periodic digest (newsdesk.comments.digest).
    if comment.status == Status.APPROVED:
        notify_parent_author(comment)
    return PostResult(judgement, comment)


def _lost_race(sub: Submission) -> Verdict:
    """Name the unique constraint a concurrent post beat this one to."""
    if sub.stamp_nonce and Comment.objects.filter(stamp=sub.stamp_nonce).exists():
        return Verdict(Action.REJECT, "form stamp already used", "stamp", guard.USED_STAMP)
    return Verdict(Action.REJECT, DUPLICATE_TEXT, "duplicate")


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


def edit_comment(
    comment: Comment, body: str, actor: Actor = None, *, ip: str = "", user_agent: str = ""
) -> Comment:
    """Replace a comment's text; an author's edit is judged again like a new comment.

    The text guards, the site policy and the spam check run again, and an edit
    that adds a link is held: an approved comment goes back to the queue rather
    than turning into an advert. A moderator's edit is not judged.
    """
    now = timezone.now()
    author = _actor_user(actor) is None
    if author and not author_may_change(comment, now):
        raise EditWindowClosed("the time to edit this comment has passed")
    sub = Submission(
        article_id=comment.article_id,
        name=comment.name,
        email=comment.email,
        body=body,
        now=now,
        visitor_hash=comment.visitor_hash,
        author_key=comment.author_key,
        links_before=count_links(comment.body),
        ip=ip,
        user_agent=user_agent,
    )
    judgement = guard.judge(sub, guard.EDIT_GUARDS if author else ())
    if judgement.verdict.action == Action.REJECT:
        raise EditRejected(judgement.verdict.reason)
    try:
        return _store_edit(comment, sub, judgement, actor, author)
    except IntegrityError as exc:
        raise EditRejected(DUPLICATE_TEXT) from exc


def _store_edit(
    comment: Comment, sub: Submission, judgement: Judgement, actor: Actor, author: bool
) -> Comment:
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        from_status = locked.status
        if author and judgement.verdict.action in (Action.HOLD, Action.SPAM):
            locked.status = STATUS_FOR_ACTION[judgement.verdict.action]
            locked.held_reason = judgement.reason[:500]
            locked.digested_at = None  # held again: the next digest lists it again
        locked.body = sub.body
        locked.body_html = render_markdown(sub.body)
        locked.body_hash = sub.body_hash
        locked.edited_at = sub.now
        locked.save()
        log_action(
            locked,
            ModerationAction.EDIT,
            actor=actor,
            from_status=from_status,
            reason=judgement.reason,
        )
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
