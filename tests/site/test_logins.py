"""Staff sign-in throttling: lockout with a clear message, keyed on the real client, no raw IPs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-123"
PROXY = "10.9.0.2"


@pytest.fixture(autouse=True)
def _staff(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NEWSDESK_LOGIN_FAILURE_LIMIT = 5
    settings.AXES_FAILURE_LIMIT = 5
    settings.NEWSDESK_TRUSTED_PROXIES = [PROXY]
    User.objects.create_user("desk", password=PASSWORD, is_staff=True)


def sign_in(password: str, **meta: str) -> object:
    client = Client(**meta)
    return client.post(
        "/admin/login/?next=/admin/", {"username": "desk", "password": password, "next": "/admin/"}
    )


def fail(times: int, **meta: str) -> None:
    for _ in range(times):
        response = sign_in("wrong-guess", **meta)
        assert response.status_code in (200, 429)


def test_lockout_after_the_limit_refuses_even_the_right_password() -> None:
    """Five failures lock the client: a right password then gets 429 and a plain message."""
    fail(4, REMOTE_ADDR="198.51.100.20")
    assert sign_in(PASSWORD, REMOTE_ADDR="198.51.100.21").status_code == 302  # someone else
    fail(1, REMOTE_ADDR="198.51.100.20")
    locked = sign_in(PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed sign-ins" in text and "15 minutes" in text and "5 failed" in text
    assert "sessionid" not in locked.cookies


def test_behind_the_trusted_proxy_each_reader_is_counted_apart() -> None:
    """Through the proxy, the client it names is locked, not the proxy and all behind it."""
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    fail(5, **attacker)
    assert sign_in(PASSWORD, **attacker).status_code == 429
    editor = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert sign_in(PASSWORD, **editor).status_code == 302


def test_forged_forwarded_for_from_an_untrusted_client_does_not_help() -> None:
    """A client that is not our proxy cannot escape by writing X-Forwarded-For."""
    for n in range(5):
        sign_in("wrong-guess", REMOTE_ADDR="198.51.100.30", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    forged = {"REMOTE_ADDR": "198.51.100.30", "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert sign_in(PASSWORD, **forged).status_code == 429


def test_rotating_ipv6_addresses_inside_one_64_does_not_help() -> None:
    """An IPv6 client is counted by its /64: new addresses in its block stay locked."""
    for n in range(5):
        sign_in("wrong-guess", REMOTE_ADDR=f"2001:db8:aaaa:1::{n + 1:x}")
    assert sign_in(PASSWORD, REMOTE_ADDR="2001:db8:aaaa:1::ffff").status_code == 429
    assert sign_in(PASSWORD, REMOTE_ADDR="2001:db8:aaaa:2::1").status_code == 302


def test_another_allowed_host_name_does_not_reset_the_count(settings) -> None:
    """The count belongs to the client, whichever of the site's host names it asks."""
    settings.ALLOWED_HOSTS = ["testserver", "news.example.org"]
    fail(3, REMOTE_ADDR="198.51.100.60")
    fail(2, REMOTE_ADDR="198.51.100.60", HTTP_HOST="news.example.org")
    assert sign_in(PASSWORD, REMOTE_ADDR="198.51.100.60").status_code == 429


def test_no_raw_address_is_stored() -> None:
    """Axes stores a salted pseudonym in the documentation prefix, never the client's address."""
    fail(2, REMOTE_ADDR="198.51.100.44", HTTP_USER_AGENT="Mozilla/5.0 Firefox/125.0")
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 2
    assert attempt.ip_address.startswith("2001:db8:")
    assert "198.51.100.44" not in repr(list(AccessAttempt.objects.values()))
    assert "c633:642c" not in attempt.ip_address  # 198.51.100.44 in hex


def test_a_success_resets_and_the_lock_ends_after_the_cool_off() -> None:
    """A right password before the limit clears the count; a lock lifts after the cool-off."""
    meta = {"REMOTE_ADDR": "198.51.100.50"}
    fail(4, **meta)
    assert sign_in(PASSWORD, **meta).status_code == 302
    fail(4, **meta)
    assert sign_in(PASSWORD, **meta).status_code == 302  # the earlier four were forgotten
    fail(5, **meta)
    assert sign_in(PASSWORD, **meta).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(PASSWORD, **meta).status_code == 302
