"""Seed comments for the demo through the real comment path: stamps, guards, actions.

Each simulated commenter has a documentation-range address (RFC 5737; only
its daily hash is stored) and a commenter id, as a browser's cookie would
carry. Every comment gets a form stamp issued a minute before it is sent and
is judged by every guard; the site's policy holds first comments, a comment
with several links is held, and the demo's admin approves some and files one
as spam with the named moderation actions, each leaving its log row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.http import HttpRequest

from newsdesk.comments import actions
from newsdesk.comments.guard import Submission
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.stamps import check_stamp, issue_stamp
from newsdesk.comments.tokens import author_key, new_commenter_id
from newsdesk.stories.models import Article
from newsdesk.visitors.ids import reader_for


@dataclass
class Commenter:
    """A simulated reader who comments: name, address and the id their cookie would hold."""

    name: str
    address: str
    commenter: str = field(default_factory=new_commenter_id)


@dataclass(frozen=True)
class Line:
    """One comment of the script: who, on which article (index), what, and what happens next."""

    who: int
    article: int
    body: str
    reply_to: int | None = None  # index of an earlier line
    then: str = ""  # "approve", "spam" or "" (left for the moderation queue)


COMMENTERS = (
    ("Lena Kovač", "192.0.2.10"),
    ("Tom Ruiz", "192.0.2.11"),
    ("Amira Haddad", "198.51.100.12"),
    ("Joe Park", "198.51.100.13"),
    ("best-deals-4u", "203.0.113.66"),
)
SCRIPT: tuple[Line, ...] = (
    Line(
        0,
        0,
        "The timeline of who reported first is the part I was missing elsewhere.",
        then="approve",
    ),
    Line(1, 0, "Worth reading the original too; the **source box** links it.", then="approve"),
    Line(0, 0, "Agreed, and the wire copies are credited, which is rare.", reply_to=1),
    Line(2, 1, "Clear summary. I would like to see a follow-up on this next week.", then="approve"),
    Line(3, 1, "First time commenting here: does the site keep older reports of this story?"),
    Line(
        1,
        2,
        "Two more reads on this: <https://example.org/analysis> and <https://example.net/data>.",
    ),
    Line(
        4,
        2,
        "Cheap watches!!! <https://example.com/a> <https://example.com/b> <https://example.com/c>",
        then="spam",
    ),
)


@dataclass(frozen=True)
class Seeded:
    """How many comments the script left approved, pending and as spam."""

    approved: int
    pending: int
    spam: int


def commenter_request(commenter: Commenter, host: str) -> HttpRequest:
    """Build the request the commenter's browser would send (only its hashes are kept)."""
    request = HttpRequest()
    request.method = "POST"
    request.META = {"REMOTE_ADDR": commenter.address, "HTTP_HOST": host}
    return request


def submission(
    commenter: Commenter, article: Article, body: str, host: str, now: datetime
) -> Submission:
    """Fill a submission as the comment view does, with a stamp issued a minute earlier."""
    request = commenter_request(commenter, host)
    stamp = check_stamp(
        issue_stamp(request, article.pk, now - timedelta(minutes=1)), request, article.pk, now
    )
    return Submission(
        article_id=article.pk,
        name=commenter.name,
        email="",
        body=body,
        now=now,
        visitor_hash=reader_for(request, now),
        rendered_at=stamp.issued_at,
        stamp_nonce=stamp.nonce,
        stamp_problem=stamp.problem,
        author_key=author_key(commenter.commenter),
    )


def seed_comments(articles: Sequence[Article], moderator: User, host: str, now: datetime) -> Seeded:
    """Post the script's comments on ``articles`` and moderate them; return what is left where."""
    people = [Commenter(name, address) for name, address in COMMENTERS]
    posted: list[Comment | None] = []
    for line in SCRIPT:
        article = articles[line.article % len(articles)]
        parent = posted[line.reply_to] if line.reply_to is not None else None
        sub = submission(people[line.who], article, line.body, host, now)
        comment = actions.post_comment(sub, article=article, parent=parent).comment
        posted.append(comment)
        if comment is not None and line.then == "approve":
            actions.approve_comment(comment, moderator, "demo: approved by the moderator")
        elif comment is not None and line.then == "spam":
            actions.mark_spam(comment, moderator, "demo: advertising links")
    stored = [c for c in posted if c is not None]
    for comment in stored:
        comment.refresh_from_db(fields=["status"])
    statuses = [c.status for c in stored]
    return Seeded(
        approved=statuses.count(Status.APPROVED),
        pending=statuses.count(Status.PENDING),
        spam=statuses.count(Status.SPAM),
    )
