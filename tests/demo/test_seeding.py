"""The demo's seeded comments and week of readers go through the real comment and hit paths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from newsdesk.comments.models import Comment, ModerationAction, ModerationLog, Status
from newsdesk.demo.discussion import COMMENTERS, seed_comments
from newsdesk.demo.history import simulate_history
from newsdesk.hits import recorder
from newsdesk.hits.models import FilteredDaily, PageView, SiteDaily
from newsdesk.visitors import salts
from tests.site.factories import make_article

pytestmark = pytest.mark.django_db
HOST = "127.0.0.1:8000"
HASH = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def _fresh_hit_buffer() -> Iterator[None]:
    recorder.use_buffer(None)
    recorder.get_buffer().clear()
    salts.forget_salts(date.max)
    yield
    recorder.use_buffer(None)
    salts.forget_salts(date.max)


def test_comments_are_judged_and_moderated_into_each_state() -> None:
    """Guards hold first comments and link-heavy ones; the admin approves some, files spam."""
    articles = [make_article() for _ in range(3)]
    admin = User.objects.create_superuser("admin", "admin@localhost", "pw-for-the-test")
    seeded = seed_comments(articles, admin, HOST, timezone.now())

    assert (seeded.approved, seeded.pending, seeded.spam) == (4, 2, 1)
    counts = {s: Comment.objects.filter(status=s).count() for s in Status}
    assert counts[Status.APPROVED] == 4 and counts[Status.PENDING] == 2
    assert counts[Status.SPAM] == 1
    # A returning commenter whose first comment was approved is trusted by the policy guard.
    trusted = Comment.objects.get(parent__isnull=False)
    assert trusted.status == Status.APPROVED and trusted.held_reason == ""
    held = Comment.objects.filter(status=Status.PENDING).values_list("held_reason", flat=True)
    assert {reason.split(":")[0] for reason in held} == {"links", "policy"}
    spam_log = ModerationLog.objects.get(action=ModerationAction.SPAM)
    assert spam_log.actor == admin and spam_log.from_status == Status.PENDING
    assert ModerationLog.objects.filter(action=ModerationAction.APPROVE, actor=admin).count() == 3


def test_comments_keep_no_address() -> None:
    """Only the daily reader hash is kept; no simulated address reaches the database."""
    admin = User.objects.create_superuser("admin", "admin@localhost", "pw-for-the-test")
    seed_comments([make_article()], admin, HOST, timezone.now())
    for comment in Comment.objects.all():
        assert HASH.fullmatch(comment.visitor_hash)
        stored = " ".join(str(value) for value in vars(comment).values())
        assert not any(address in stored for _, address in COMMENTERS)


def test_a_week_of_readers_fills_the_daily_rollups() -> None:
    """Seven days of views and distinct visitors, none after now; crawlers counted apart."""
    articles = [make_article() for _ in range(8)]
    now = timezone.now()
    history = simulate_history(
        HOST, [a.get_absolute_url() for a in articles], ["/", "/latest/"], now
    )

    days = list(SiteDaily.objects.order_by("day").values_list("day", "views", "visitors"))
    assert [day for day, _, _ in days] == [now.date() - timedelta(days=n) for n in range(6, -1, -1)]
    assert sum(views for _, views, _ in days) == history.views == PageView.objects.count()
    # Each simulated reader is its own visitor: an address and browser of their own that day.
    assert sum(visitors for _, _, visitors in days) == history.readers
    assert history.readers >= 7 * 30 and history.days == 7
    assert not PageView.objects.filter(ts__gt=now).exists()
    filtered = FilteredDaily.objects.aggregate(total=Sum("requests"))["total"]
    assert filtered == history.bots > 0


def test_page_views_keep_hashes_not_addresses() -> None:
    """Stored views carry the daily visitor hash; no documentation address appears."""
    article = make_article()
    simulate_history(HOST, [article.get_absolute_url()], ["/"], timezone.now(), days=1)
    for visitor, path in PageView.objects.values_list("visitor", "path"):
        assert HASH.fullmatch(visitor)
        assert not re.search(r"\d+\.\d+\.\d+\.\d+", path)
