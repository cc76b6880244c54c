"""Each guard holds or rejects with its reason; the policy modes; the optional spam service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from newsdesk.comments.guard import (
    Action,
    check_akismet,
    check_banned_words,
    check_duplicate,
    check_hold_words,
    check_honeypot,
    check_links,
    check_policy,
    check_rate_limit,
    check_timing,
    judge,
)
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.visitor import visitor_hash
from newsdesk.stories.models import Article
from tests.comments.conftest import submission
from tests.site.factories import make_article


def store(article: Article, **fields: Any) -> Comment:
    """Save a comment row directly (bypassing the guards)."""
    values: dict[str, Any] = {
        "article": article,
        "name": "Reader One",
        "email": "reader@example.org",
        "body": "Stored text",
        "body_html": "<p>Stored text</p>",
        "body_hash": "x",
        "status": Status.APPROVED,
        "visitor_hash": "v" * 32,
    }
    values.update(fields)
    return Comment.objects.create(**values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "settings_values", "action", "guard", "reason_part"),
    [
        ({"honeypot": "http://spam.example"}, {}, Action.REJECT, "honeypot", "hidden field"),
        ({"rendered_at": None}, {}, Action.REJECT, "timing", "missing or forged"),
        ("too_fast", {}, Action.REJECT, "timing", "minimum 3s"),
        ("too_old", {}, Action.REJECT, "timing", "too old"),
        (
            {"body": "Read [a](https://a.example) and [b](https://b.example)"},
            {},
            Action.HOLD,
            "links",
            "2 links",
        ),
        (
            {"body": "see http://one.example and www.two.example"},
            {},
            Action.HOLD,
            "links",
            "2 links",
        ),
        (
            {"body": "Cheap Casino bonus"},
            {"NEWSDESK_COMMENTS_HOLD_WORDS": ["casino"]},
            Action.HOLD,
            "hold_words",
            "'Casino'",
        ),
        (
            {"name": "Viagra seller"},
            {"NEWSDESK_COMMENTS_BLOCK_WORDS": ["viagra"]},
            Action.REJECT,
            "banned_words",
            "banned word 'Viagra'",
        ),
        ({}, {"NEWSDESK_COMMENTS_POLICY": "hold_all"}, Action.HOLD, "policy", "every comment"),
        ({}, {"NEWSDESK_COMMENTS_POLICY": "hold_first"}, Action.HOLD, "policy", "first comment"),
    ],
)
def test_guard_table(
    settings: Any,
    article: Article,
    overrides: Any,
    settings_values: dict[str, Any],
    action: Action,
    guard: str,
    reason_part: str,
) -> None:
    """Each spam or policy signal yields its verdict, named guard and a reason for moderators."""
    for name, value in settings_values.items():
        setattr(settings, name, value)
    sub = submission(article)
    if overrides == "too_fast":
        sub = submission(article, rendered_at=sub.now.timestamp() - 1)
    elif overrides == "too_old":
        sub = submission(article, rendered_at=sub.now.timestamp() - 3 * 86400)
    else:
        sub = submission(article, **overrides)
    judgement = judge(sub)
    assert judgement.verdict.action == action
    assert judgement.verdict.guard == guard
    assert reason_part in judgement.verdict.reason
    assert f"{guard}: " in judgement.reason


@pytest.mark.django_db
def test_clean_submission_from_returning_author_is_accepted(article: Article) -> None:
    """Under hold_first, an author with an approved comment (same email) is accepted."""
    store(make_article(), email="Reader@Example.org")
    judgement = judge(submission(article))
    assert judgement.verdict.action == Action.ACCEPT
    assert judgement.reason == ""


@pytest.mark.django_db
def test_returning_author_without_email_is_matched_by_name_and_visitor(article: Article) -> None:
    """Without an email, the same name from the same visitor counts as returning."""
    store(make_article(), email="")
    assert check_policy(submission(article, email="")).action == Action.ACCEPT
    other = submission(article, email="", visitor_hash="w" * 32)
    assert check_policy(other).action == Action.HOLD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "returning", "action"),
    [
        ("approve_all", False, Action.ACCEPT),
        ("approve_all", True, Action.ACCEPT),
        ("hold_first", False, Action.HOLD),
        ("hold_first", True, Action.ACCEPT),
        ("hold_all", False, Action.HOLD),
        ("hold_all", True, Action.HOLD),
        ("nonsense", True, Action.HOLD),
    ],
)
def test_policy_modes(
    settings: Any, article: Article, policy: str, returning: bool, action: Action
) -> None:
    """Approve all / hold first-time / hold all; an unknown policy holds everything."""
    settings.NEWSDESK_COMMENTS_POLICY = policy
    if returning:
        store(make_article())
    assert check_policy(submission(article)).action == action


@pytest.mark.django_db
def test_rate_limit_two_a_minute(article: Article) -> None:
    """The third comment within a minute from one visitor is rejected; another visitor is not."""
    sub = submission(article)
    assert check_rate_limit(sub).action == Action.ACCEPT
    assert check_rate_limit(sub).action == Action.ACCEPT
    third = check_rate_limit(sub)
    assert third.action == Action.REJECT
    assert third.guard == "rate_limit"
    assert "more than 2 comments in a minute" in third.reason
    assert check_rate_limit(submission(article, visitor_hash="w" * 32)).action == Action.ACCEPT


@pytest.mark.django_db
def test_rate_limit_ten_an_hour(article: Article) -> None:
    """Two a minute for six minutes passes ten, and the eleventh within the hour is rejected."""
    start = submission(article).now.replace(minute=0, second=0, microsecond=0)
    verdicts = [
        check_rate_limit(submission(article, now=start + timedelta(minutes=i // 2, seconds=i % 2)))
        for i in range(11)
    ]
    assert [v.action for v in verdicts[:10]] == [Action.ACCEPT] * 10
    assert verdicts[10].action == Action.REJECT
    assert verdicts[10].reason == "more than 10 comments in an hour"


@pytest.mark.django_db
def test_duplicate_body_on_same_article_is_rejected(article: Article) -> None:
    """The same text (ignoring case and spacing) twice on one article is rejected."""
    first = submission(article, body="Great   news!")
    store(article, body="Great news!", body_hash=first.body_hash, status=Status.PENDING)
    verdict = check_duplicate(submission(article, body="great news!"))
    assert verdict.action == Action.REJECT
    assert verdict.reason == "the same text is already on this article"


@pytest.mark.django_db
def test_duplicate_body_on_another_article_is_held(article: Article) -> None:
    """The same text posted on another article within a day is held as cross-posting."""
    sub = submission(article, body="Buy now")
    store(make_article(), body="Buy now", body_hash=sub.body_hash)
    verdict = check_duplicate(sub)
    assert verdict.action == Action.HOLD
    assert "another article" in verdict.reason


@pytest.mark.django_db
def test_deleted_comment_does_not_count_as_duplicate(article: Article) -> None:
    """Text of a deleted comment may be posted again."""
    sub = submission(article)
    store(article, body_hash=sub.body_hash, status=Status.DELETED)
    assert check_duplicate(sub).action == Action.ACCEPT


@pytest.mark.parametrize(
    ("text", "hold"),
    [
        ("A classic case", False),
        ("What an ass.", True),
        ("ASS!", True),
        ("assassin", False),
    ],
)
def test_words_match_whole_words_only(
    settings: Any, article_stub: Article, text: str, hold: bool
) -> None:
    """Blocked words match as whole words, case-insensitively (no Scunthorpe problem)."""
    settings.NEWSDESK_COMMENTS_HOLD_WORDS = ["ass"]
    verdict = check_hold_words(submission(article_stub, body=text))
    assert (verdict.action == Action.HOLD) is hold


@pytest.fixture
def article_stub() -> Article:
    """An unsaved article: enough for guards that do not touch the database."""
    return Article(pk=1, title="Stub")


def test_one_link_is_fine(article_stub: Article) -> None:
    """A single link passes the link guard."""
    assert check_links(submission(article_stub, body="[x](https://a.example)")).action == "accept"


def test_judge_stops_at_first_rejection(article_stub: Article) -> None:
    """A rejection ends judging, so later guards (and the rate counter) never run."""
    calls: list[str] = []

    def later(sub: Any) -> Any:
        calls.append("later")
        return check_links(sub)

    judgement = judge(submission(article_stub, honeypot="x"), [check_honeypot, later])
    assert judgement.verdict.action == Action.REJECT
    assert calls == []


def test_judge_keeps_every_hold_reason(settings: Any, article_stub: Article) -> None:
    """Several holds are all reported to moderators."""
    settings.NEWSDESK_COMMENTS_HOLD_WORDS = ["bridge"]
    sub = submission(article_stub, body="bridge http://a.example http://b.example")
    judgement = judge(sub, [check_links, check_hold_words, check_banned_words, check_timing])
    assert judgement.verdict.action == Action.HOLD
    assert judgement.reason.startswith("links: 2 links")
    assert "hold_words: contains held word 'bridge'" in judgement.reason


def test_visitor_hash_is_salted_and_rotates() -> None:
    """The visitor key hides the IP, is stable within a day and changes the next day."""
    sub_now = submission(Article(pk=1)).now
    first = visitor_hash("203.0.113.9", "Firefox", sub_now)
    assert first == visitor_hash("203.0.113.9", "Firefox", sub_now)
    assert "203.0.113.9" not in first
    assert first != visitor_hash("203.0.113.9", "Chrome", sub_now)
    assert first != visitor_hash("203.0.113.9", "Firefox", sub_now + timedelta(days=1))


def test_akismet_is_off_without_a_key(article_stub: Article) -> None:
    """With no key configured the spam service is never called."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not be called")

    verdict = check_akismet(submission(article_stub), httpx.MockTransport(fail))
    assert verdict.action == Action.ACCEPT


@pytest.mark.parametrize(
    ("status", "text", "headers", "action"),
    [
        (200, "false", {}, Action.ACCEPT),
        (200, "true", {}, Action.SPAM),
        (200, "true", {"X-akismet-pro-tip": "discard"}, Action.REJECT),
        (200, "invalid", {}, Action.HOLD),
        (500, "", {}, Action.HOLD),
    ],
)
def test_akismet_answers(
    settings: Any,
    article_stub: Article,
    status: int,
    text: str,
    headers: dict[str, str],
    action: Action,
) -> None:
    """The Akismet-compatible answer maps to accept, spam, reject (discard) or hold."""
    settings.NEWSDESK_AKISMET_KEY = "k3y"
    settings.NEWSDESK_AKISMET_URL = "http://spamcheck.test/"
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text=text, headers=headers)

    verdict = check_akismet(
        submission(article_stub, ip="198.51.100.7"), httpx.MockTransport(handler)
    )
    assert verdict.action == action
    assert str(seen[0].url) == "http://spamcheck.test/1.1/comment-check"
    form = parse_qs(seen[0].content.decode())
    assert form["api_key"] == ["k3y"]
    assert form["comment_content"] == ["A thoughtful remark about the bridge."]
    assert form["user_ip"] == ["198.51.100.7"]


def test_akismet_unreachable_holds(settings: Any, article_stub: Article) -> None:
    """When the spam service cannot be reached the comment waits for a person."""
    settings.NEWSDESK_AKISMET_KEY = "k3y"

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    verdict = check_akismet(submission(article_stub), httpx.MockTransport(handler))
    assert verdict.action == Action.HOLD
    assert verdict.reason == "spam check unavailable"
