"""The one visitor-id service: random daily salts, visitor ids for hits, reader ids for comments."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, timedelta

import pytest
from django.test import RequestFactory

from newsdesk.visitors import salts
from newsdesk.visitors.ids import reader_for, reader_id, visitor_for, visitor_id
from newsdesk.visitors.models import DailySalt
from newsdesk.visitors.salts import create_salt, prune_salts, salt_for

DAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_cached_salts() -> None:
    salts.forget_salts(date.max)


def request_from(address: str, agent: str = "Firefox/128.0", **extra: str) -> object:
    return RequestFactory().get("/", REMOTE_ADDR=address, headers={"User-Agent": agent, **extra})


@pytest.mark.django_db
def test_salt_is_created_once_per_day_and_random() -> None:
    """The first call stores a random salt; later calls (any process) read the same one."""
    first = salt_for(DAY)
    salts.forget_salts(date.max)  # as if another process asked
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


def test_reader_id_is_never_a_visitor_id() -> None:
    """The two ids are hashed in separate domains, so one can never stand for the other."""
    salt = bytes(range(32))
    assert reader_id(salt, "news.example", "203.0.113.9") != visitor_id(
        salt, "news.example", "203.0.113.9", ""
    )


@pytest.mark.django_db
def test_reader_ignores_the_user_agent_but_the_visitor_does_not() -> None:
    """Rotating the User-Agent makes a new visitor for counting, never a new reader."""
    firefox, chrome = request_from("203.0.113.9", "Firefox"), request_from("203.0.113.9", "Chrome")
    assert reader_for(firefox, NOON) == reader_for(chrome, NOON)
    assert visitor_for(firefox, NOON) != visitor_for(chrome, NOON)
    assert reader_for(request_from("203.0.113.10"), NOON) != reader_for(firefox, NOON)


@pytest.mark.django_db
def test_ipv6_reader_is_its_slash_64() -> None:
    """Addresses in one IPv6 /64 are one reader; the next /64 is another."""
    one = reader_for(request_from("2001:db8:1:2::1"), NOON)
    assert one == reader_for(request_from("2001:db8:1:2:ffff:abcd:1:9"), NOON)
    assert one != reader_for(request_from("2001:db8:1:3::1"), NOON)


@pytest.mark.django_db
def test_reader_id_rotates_daily_and_cannot_be_rebuilt_once_the_salt_is_gone() -> None:
    """Tomorrow's id differs; after the prune, the same address and day give a different id."""
    request = request_from("198.51.100.23")
    stored = reader_for(request, NOON)
    assert stored != reader_for(request, NOON + timedelta(days=1))
    assert prune_salts(NOON + timedelta(days=2)) == 1  # day D goes; D+1 is kept a day more
    assert not DailySalt.objects.filter(day=DAY).exists()
    # Asking again makes a new random salt: the stored id is out of reach for good.
    assert reader_for(request, NOON) != stored
