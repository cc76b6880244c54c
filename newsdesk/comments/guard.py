"""Spam defence and moderation policy: each guard judges a submission with a reason.

A guard is a function ``Submission -> Verdict``. ``judge`` runs them in order
and stops at the first rejection, so cheap checks (honeypot, timing) come
first and the rate counter only counts attempts that got past them. The
verdicts that did not simply accept are kept, logged and shown to moderators.

One identity: ``visitor_hash`` is the daily reader id (client address, or its
IPv6 /64, under the day's random salt; ``newsdesk.visitors.ids``). Rate
limits and form stamps key on it, so a new User-Agent is not a new reader.
"Hold first-time commenters" trusts only ``author_key``, the hash of a signed
cookie the commenter's browser got when it posted, once a moderator approved
a comment sent with it; an email address proves nothing (anyone can type one).

Rate counters live in Django's default cache: LocMem (one process) unless
NEWSDESK_REDIS_URL is set, when they are shared by every worker. With several
worker processes and no Redis each process counts on its own.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import models

from newsdesk.comments.markdown import count_links
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.stamps import Problem

logger = logging.getLogger(__name__)

# (window in seconds, most comments a visitor may send in it), after isso.
RATE_LIMITS: tuple[tuple[int, int], ...] = ((60, 2), (3600, 10))
MAX_LINKS = 1
CROSS_POST_WINDOW = timedelta(days=1)
AKISMET_DEFAULT_URL = "https://rest.akismet.com"
AKISMET_TIMEOUT = 5.0
# What the commenter reads for each stamp problem; the form comes back with a fresh stamp.
STAMP_MESSAGES = {
    Problem.MISSING: "Almost done: check your comment, then press “Post comment” again.",
    Problem.FORGED: "This form could not be checked. Press “Post comment” again to send it.",
    Problem.EXPIRED: "This form had expired. Press “Post comment” again to send your comment.",
    Problem.OTHER_READER: (
        "Your connection changed since the form was opened. "
        "Press “Post comment” again to send your comment."
    ),
    Problem.OTHER_ARTICLE: "This form belongs to another article. Send your comment from here.",
}
USED_STAMP = (
    "This form was already used to post a comment. "
    "If this is a new comment, press “Post comment” again."
)


class Action(models.TextChoices):
    ACCEPT = "accept", "Accept"
    HOLD = "hold", "Hold for moderation"
    SPAM = "spam", "File as spam"
    REJECT = "reject", "Reject"


SEVERITY = {Action.ACCEPT: 0, Action.HOLD: 1, Action.SPAM: 2, Action.REJECT: 3}


class Policy(models.TextChoices):
    APPROVE_ALL = "approve_all", "Approve all"
    HOLD_FIRST = "hold_first", "Hold first-time commenters"
    HOLD_ALL = "hold_all", "Hold all"


@dataclass(frozen=True)
class Verdict:
    """One guard's judgement and why."""

    action: Action
    reason: str = ""
    guard: str = ""
    # Shown to the commenter instead of the guard's generic message, when set.
    public: str = ""


ACCEPT = Verdict(Action.ACCEPT)


@dataclass(frozen=True)
class Submission:
    """Everything the guards may look at; ``ip`` goes only to the optional spam service."""

    article_id: int
    name: str
    email: str
    body: str
    now: datetime
    # The daily reader id (address or /64, no User-Agent): rate limits key on it.
    visitor_hash: str
    honeypot: str = ""
    rendered_at: float | None = None
    stamp_nonce: str = ""
    stamp_problem: str = ""
    author_key: str = ""
    # For an edit: the links the text had before, so an added link is held.
    links_before: int | None = None
    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    permalink: str = ""

    @property
    def body_hash(self) -> str:
        return body_hash(self.body)


@dataclass(frozen=True)
class Judgement:
    """The combined outcome: the most severe verdict and every non-accepting one."""

    verdict: Verdict
    verdicts: tuple[Verdict, ...] = field(default=())

    @property
    def reason(self) -> str:
        return "; ".join(f"{v.guard}: {v.reason}" for v in self.verdicts)


Guard = Callable[[Submission], Verdict]


def body_hash(body: str) -> str:
    """Hash a body with case and whitespace folded, so trivial variants count as equal."""
    normal = " ".join(body.casefold().split())
    return hashlib.sha256(normal.encode()).hexdigest()


def check_honeypot(sub: Submission) -> Verdict:
    """Reject a form whose hidden field a human never sees was filled in."""
    if sub.honeypot.strip():
        return Verdict(Action.REJECT, "hidden field was filled in", "honeypot")
    return ACCEPT


def check_stamp(sub: Submission) -> Verdict:
    """Reject a form without a valid stamp of this reader, or whose stamp already posted."""
    if sub.stamp_problem or not sub.stamp_nonce:
        problem = sub.stamp_problem or Problem.MISSING
        public = STAMP_MESSAGES.get(problem, STAMP_MESSAGES[Problem.FORGED])
        return Verdict(Action.REJECT, f"form stamp {problem}", "stamp", public)
    if Comment.objects.filter(stamp=sub.stamp_nonce).exists():
        return Verdict(Action.REJECT, "form stamp already used", "stamp", USED_STAMP)
    return ACCEPT


def check_timing(sub: Submission) -> Verdict:
    """Reject a form sent sooner after showing than a person can type."""
    if sub.rendered_at is None:
        public = STAMP_MESSAGES[Problem.MISSING]
        return Verdict(Action.REJECT, "no time the form was shown", "timing", public)
    elapsed = sub.now.timestamp() - sub.rendered_at
    minimum = float(settings.NEWSDESK_COMMENTS_MIN_SECONDS)
    if elapsed < minimum:
        return Verdict(
            Action.REJECT,
            f"sent {elapsed:.1f}s after the form was shown (minimum {minimum:g}s)",
            "timing",
        )
    return ACCEPT


def _word_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    words = [w for w in (w.strip() for w in words) if w]
    if not words:
        return None
    # Whole words only, so a blocked "ass" does not hold "classic".
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _find_word(sub: Submission, words: Sequence[str]) -> str | None:
    pattern = _word_pattern(words)
    if pattern is None:
        return None
    for text in (sub.name, sub.email, sub.body):
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


def check_banned_words(sub: Submission) -> Verdict:
    """Reject a comment containing a word of NEWSDESK_COMMENTS_BLOCK_WORDS."""
    word = _find_word(sub, settings.NEWSDESK_COMMENTS_BLOCK_WORDS)
    if word:
        return Verdict(Action.REJECT, f"contains banned word {word!r}", "banned_words")
    return ACCEPT


def check_duplicate(sub: Submission) -> Verdict:
    """Reject the same text twice on one article; hold it when cross-posted to another."""
    same = Comment.objects.filter(body_hash=sub.body_hash).exclude(status=Status.DELETED)
    if same.filter(article_id=sub.article_id).exists():
        return Verdict(Action.REJECT, "the same text is already on this article", "duplicate")
    if same.filter(created_at__gte=sub.now - CROSS_POST_WINDOW).exists():
        return Verdict(Action.HOLD, "the same text was posted on another article", "duplicate")
    return ACCEPT


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def check_rate_limit(sub: Submission) -> Verdict:
    """Reject a reader's comment past 2 a minute or 10 an hour (fixed windows)."""
    stamp = int(sub.now.timestamp())
    for window, limit in RATE_LIMITS:
        key = f"newsdesk:comments:rate:{sub.visitor_hash}:{window}:{stamp // window}"
        if _count(key, window) > limit:
            period = "a minute" if window == 60 else "an hour"
            return Verdict(Action.REJECT, f"more than {limit} comments in {period}", "rate_limit")
    return ACCEPT


def check_links(sub: Submission) -> Verdict:
    """Hold a comment with two or more links, as WordPress does by default."""
    links = count_links(sub.body)
    if links > MAX_LINKS:
        return Verdict(Action.HOLD, f"{links} links (2 or more are held)", "links")
    return ACCEPT


def check_added_links(sub: Submission) -> Verdict:
    """Hold an edit that adds a link: an approved comment must not turn into an advert."""
    if sub.links_before is None:
        return ACCEPT
    links = count_links(sub.body)
    if links > sub.links_before:
        return Verdict(Action.HOLD, f"edit adds a link ({sub.links_before} -> {links})", "links")
    return ACCEPT


def check_hold_words(sub: Submission) -> Verdict:
    """Hold a comment containing a word of NEWSDESK_COMMENTS_HOLD_WORDS."""
    word = _find_word(sub, settings.NEWSDESK_COMMENTS_HOLD_WORDS)
    if word:
        return Verdict(Action.HOLD, f"contains held word {word!r}", "hold_words")
    return ACCEPT


def current_policy() -> Policy:
    """Return the configured policy; an unknown value holds everything (fail safe)."""
    raw = str(settings.NEWSDESK_COMMENTS_POLICY)
    if raw in Policy.values:
        return Policy(raw)
    logger.warning("unknown comments policy, holding all", extra={"policy": raw})
    return Policy.HOLD_ALL


def is_returning_commenter(sub: Submission) -> bool:
    """Tell whether the commenter's proven identity (their cookie) has an approved comment."""
    if not sub.author_key:
        return False
    return Comment.objects.approved().filter(author_key=sub.author_key).exists()


def check_policy(sub: Submission) -> Verdict:
    """Apply the site policy: approve all, hold first-time commenters, or hold all."""
    policy = current_policy()
    if policy == Policy.HOLD_ALL:
        return Verdict(Action.HOLD, "site holds every comment", "policy")
    if policy == Policy.HOLD_FIRST and not is_returning_commenter(sub):
        return Verdict(Action.HOLD, "first comment from this author", "policy")
    return ACCEPT


def check_akismet(sub: Submission, transport: httpx.BaseTransport | None = None) -> Verdict:
    """Ask an Akismet-compatible service, when configured; hold if it cannot answer."""
    key = str(settings.NEWSDESK_AKISMET_KEY)
    if not key:
        return ACCEPT
    base = str(settings.NEWSDESK_AKISMET_URL or AKISMET_DEFAULT_URL).rstrip("/")
    data = {
        "api_key": key,
        "blog": settings.NEWSDESK_SITE_URL,
        "blog_lang": settings.NEWSDESK_LANGUAGE,
        "user_ip": sub.ip,
        "user_agent": sub.user_agent,
        "referrer": sub.referrer,
        "permalink": sub.permalink,
        "comment_type": "comment",
        "comment_author": sub.name,
        "comment_author_email": sub.email,
        "comment_content": sub.body,
    }
    try:
        with httpx.Client(transport=transport, timeout=AKISMET_TIMEOUT) as client:
            response = client.post(f"{base}/1.1/comment-check", data=data)
    except httpx.HTTPError as exc:
        logger.warning("spam check failed", extra={"error": str(exc)})
        return Verdict(Action.HOLD, "spam check unavailable", "akismet")
    answer = response.text.strip()
    if response.status_code == 200 and answer == "true":
        # "discard" marks blatant spam that needs no human look (Akismet API docs).
        if response.headers.get("X-akismet-pro-tip") == "discard":
            return Verdict(Action.REJECT, "spam check: blatant spam", "akismet")
        return Verdict(Action.SPAM, "spam check flagged it", "akismet")
    if response.status_code == 200 and answer == "false":
        return ACCEPT
    return Verdict(Action.HOLD, f"spam check gave no verdict ({answer[:40]!r})", "akismet")


GUARDS: tuple[Guard, ...] = (
    check_honeypot,
    check_stamp,
    check_timing,
    check_banned_words,
    check_duplicate,
    check_rate_limit,
    check_links,
    check_hold_words,
    check_policy,
    check_akismet,
)
# An author's edit is judged again on its text and by the site policy, like a new comment.
EDIT_GUARDS: tuple[Guard, ...] = (
    check_banned_words,
    check_links,
    check_added_links,
    check_hold_words,
    check_policy,
    check_akismet,
)


def judge(sub: Submission, guards: Sequence[Guard] = GUARDS) -> Judgement:
    """Run the guards in order, stopping at a rejection; return the combined judgement."""
    raised: list[Verdict] = []
    for guard in guards:
        verdict = guard(sub)
        if verdict.action == Action.ACCEPT:
            continue
        raised.append(verdict)
        if verdict.action == Action.REJECT:
            break
    if not raised:
        return Judgement(ACCEPT)
    worst = max(raised, key=lambda v: SEVERITY[v.action])
    return Judgement(worst, tuple(raised))
