"""Daily salts and visitor ids: random, stored once per day, unlinkable once pruned."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, timedelta

import pytest
from django.test import RequestFactory

from newsdesk.hits import visitors
from newsdesk.hits.models import DailySalt, DailyVisitor, HourlyVisitor
from newsdesk.hits.rollups import prune_salts
from newsdesk.hits.visitors import client_ip, create_salt, salt_for, visitor_id

DAY = date(2026, 3, 10)


@pytest.mark.django_db
def test_salt_is_created_once_per_day_and_random() -> None:
    """The first call stores a random salt; later calls (any process) read the same one."""
    first = salt_for(DAY)
    visitors.forget_salts(date.max)  # as if another process asked
    assert salt_for(DAY) == first
    assert DailySalt.objects.filter(day=DAY).count() == 1
    assert len(first) == 32
    assert salt_for(DAY + timedelta(days=1)) != first


@pytest.mark.django_db
def test_salt_created_elsewhere_meanwhile_is_adopted() -> None:
    """When another process stored the day's salt between our read and write, theirs wins."""
    DailySalt.objects.create(day=DAY, salt="ab" * 32)
    assert create_salt(DAY).salt == "ab" * 32
    assert DailySalt.objects.filter(day=DAY).count() == 1


def test_visitor_id_depends_on_every_part_and_hides_them() -> None:
    """The id is stable for one day's salt and changes with salt, site, IP or User-Agent."""
    salt = bytes(range(32))
    base = visitor_id(salt, "news.example", "203.0.113.9", "Firefox")
    assert base == visitor_id(salt, "news.example", "203.0.113.9", "Firefox")
    assert len(base) == 32 and int(base, 16) >= 0
    others = {
        visitor_id(bytes(32), "news.example", "203.0.113.9", "Firefox"),
        visitor_id(salt, "other.example", "203.0.113.9", "Firefox"),
        visitor_id(salt, "news.example", "203.0.113.10", "Firefox"),
        visitor_id(salt, "news.example", "203.0.113.9", "Chrome"),
    }
    assert base not in others and len(others) == 4
    assert "203.0.113.9" not in base


@pytest.mark.django_db
def test_salt_lives_until_24_hours_after_its_day() -> None:
    """Day D's salt survives through D+1 and is deleted, with its seen-sets, at D+2 00:00 UTC."""
    salt_for(DAY)
    DailyVisitor.objects.create(day=DAY, visitor="v")
    HourlyVisitor.objects.create(hour=datetime(2026, 3, 10, 23, tzinfo=dt.UTC), visitor="v")
    late_next_day = datetime(2026, 3, 11, 23, 59, 59, tzinfo=dt.UTC)
    assert prune_salts(late_next_day) == (0, 0)
    assert DailySalt.objects.filter(day=DAY).exists()

    assert prune_salts(datetime(2026, 3, 12, 0, 0, tzinfo=dt.UTC)) == (1, 2)
    assert not DailySalt.objects.filter(day=DAY).exists()
    assert DAY not in visitors._salts


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # Without a trusted proxy the header is the client's word: ignored.
        ("203.0.113.9", "198.51.100.7", [], "203.0.113.9"),
        ("10.0.0.2", "198.51.100.7", ["10.0.0.0/8"], "198.51.100.7"),
        # A forged first hop is skipped: the nearest address not ours is used.
        ("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", ["10.0.0.0/8"], "198.51.100.7"),
        # The header is ignored when the connection is not from a trusted proxy.
        ("203.0.113.9", "198.51.100.7", ["10.0.0.0/8"], "203.0.113.9"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_from_trusted_proxies(
    settings: object, remote: str, forwarded: str, trusted: list[str], expected: str
) -> None:
    """X-Forwarded-For is read only when REMOTE_ADDR is a configured proxy."""
    settings.NEWSDESK_TRUSTED_PROXIES = trusted  # type: ignore[attr-defined]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)
    assert client_ip(request) == expected
