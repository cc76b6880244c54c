"""Each guard holds or rejects with its reason; the policy modes; the optional spam service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from newsdesk.comments.guard import (
    Action,
    check_added_links,
    check_akismet,
    check_banned_words,
    check_duplicate,
    check_hold_words,
    check_honeypot,
    check_links,
    check_policy,
    check_rate_limit,
    check_stamp,
    check_timing,
    judge,
)
from newsdesk.comments.markdown import count_links
from newsdesk.comments.models import Comment, Status
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
        ({"stamp_nonce": ""}, {}, Action.REJECT, "stamp", "stamp missing"),
        ({"stamp_problem": "forged"}, {}, Action.REJECT, "stamp", "stamp forged"),
        ({"stamp_problem": "other reader"}, {}, Action.REJECT, "stamp", "stamp other reader"),
        ({"stamp_problem": "expired"}, {}, Action.REJECT, "stamp", "stamp expired"),
        ({"rendered_at": None}, {}, Action.REJECT, "timing", "no time the form was shown"),
        ("too_fast", {}, Action.REJECT, "timing", "minimum 3s"),
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
    else:
        sub = submission(article, **overrides)
    judgement = judge(sub)
    assert judgement.verdict.action == action
    assert judgement.verdict.guard == guard
    assert reason_part in judgement.verdict.reason
    assert f"{guard}: " in judgement.reason


@pytest.mark.django_db
def test_returning_author_is_known_by_their_cookie_not_their_email(article: Article) -> None:
    """Under hold_first only the commenter cookie of an approved comment makes a returning author.

    Anyone can type a known commenter's email address; nobody else holds their cookie.
    """
    store(make_article(), email="reader@example.org", author_key="k" * 64)
    trusted = judge(submission(article, author_key="k" * 64))
    assert trusted.verdict.action == Action.ACCEPT and trusted.reason == ""
    impostor = submission(article, email="Reader@Example.org", author_key="")
    assert check_policy(impostor).action == Action.HOLD
    stranger = submission(article, email="reader@example.org", author_key="s" * 64)
    assert check_policy(stranger).action == Action.HOLD


@pytest.mark.django_db
def test_a_held_or_spam_comment_earns_no_trust(article: Article) -> None:
    """Only an approved comment makes its cookie trusted; held or spam ones do not."""
    store(make_article(), author_key="k" * 64, status=Status.PENDING)
    store(make_article(), author_key="k" * 64, status=Status.SPAM, body_hash="y")
    assert check_policy(submission(article, author_key="k" * 64)).action == Action.HOLD


@pytest.mark.django_db
def test_a_stamp_posts_once(article: Article) -> None:
    """A stamp whose nonce a stored comment carries is refused the second time."""
    sub = submission(article)
    assert check_stamp(sub).action == Action.ACCEPT
    store(article, stamp=sub.stamp_nonce)
    again = check_stamp(sub)
    assert (again.action, again.reason) == (Action.REJECT, "form stamp already used")
    assert "already used" in again.public


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
        store(make_article(), author_key="k" * 64)
    assert check_policy(submission(article, author_key="k" * 64)).action == action


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


@pytest.mark.parametrize(
    ("before", "after", "hold"),
    [
        ("no link here", "now see https://ad.example", True),
        ("see https://a.example", "see https://a.example, better words", False),
        ("see https://a.example", "see https://b.example instead", False),
        ("plain", "still plain", False),
    ],
)
def test_an_edit_that_adds_a_link_is_held(
    article_stub: Article, before: str, after: str, hold: bool
) -> None:
    """An edit with more links than the text had is held; keeping or swapping one is not."""
    sub = submission(article_stub, body=after, links_before=count_links(before))
    assert (check_added_links(sub).action == Action.HOLD) is hold


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
