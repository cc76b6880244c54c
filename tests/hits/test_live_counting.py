"""Counting over real HTTP against a live server: readers once, visitors once a day, no bots."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from newsdesk.hits import recorder
from newsdesk.hits.models import FilteredDaily, PageView, SiteCounter, SiteDaily
from newsdesk.hits.recorder import flush_now
from newsdesk.hits.rollups import prune_salts
from newsdesk.stories.models import Article
from newsdesk.visitors.models import DailySalt
from tests.hits import agents
from tests.hits.recording import make_article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def article() -> Article:
    return make_article()


def _get(live_server: LiveServer, path: str, user_agent: str | None, **headers: str) -> int:
    sent = dict(headers)
    if user_agent is not None:
        sent["User-Agent"] = user_agent
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        if user_agent is None:
            client.headers.pop("User-Agent")
        return client.get(path, headers=sent).status_code


def test_readers_count_once_per_view(live_server: LiveServer, article: Article) -> None:
    """Each page a reader gets is one view; two readers on one address are two visitors."""
    url = article.get_absolute_url()
    for _ in range(3):
        assert _get(live_server, url, agents.FIREFOX_LINUX) == 200
    assert _get(live_server, "/", agents.SAFARI_IPHONE) == 200
    assert flush_now() == 4
    assert PageView.objects.filter(article=article).count() == 3
    day = SiteDaily.objects.get()
    assert (day.views, day.visitors) == (4, 2)
    assert SiteCounter.objects.get().views == 4


def test_same_reader_is_one_visitor_all_day(live_server: LiveServer, article: Article) -> None:
    """Views spread over batches keep counting one visitor per day."""
    for path in ["/", article.get_absolute_url(), "/latest/"]:
        _get(live_server, path, agents.CHROME_ANDROID_PHONE)
        flush_now()
    day = SiteDaily.objects.get()
    assert (day.views, day.visitors) == (3, 1)
    assert PageView.objects.values("visitor").distinct().count() == 1


@pytest.mark.parametrize("user_agent", [*agents.CRAWLERS, *agents.HEADLESS, None])
def test_robots_are_never_counted(
    live_server: LiveServer, article: Article, user_agent: str | None
) -> None:
    """Crawlers get their page but never a view; the filtered request is counted apart."""
    assert _get(live_server, article.get_absolute_url(), user_agent) == 200
    flush_now()
    assert not PageView.objects.exists()
    assert not SiteCounter.objects.exists()
    assert sum(FilteredDaily.objects.values_list("requests", flat=True)) == 1


def test_prefetch_and_head_are_not_views(live_server: LiveServer, article: Article) -> None:
    """A prefetched page is not read; a HEAD request reads nothing."""
    url = article.get_absolute_url()
    _get(live_server, url, agents.CHROME_WINDOWS, **{"Sec-Purpose": "prefetch"})
    with httpx.Client(base_url=live_server.url) as client:
        client.head(url, headers={"User-Agent": agents.CHROME_WINDOWS})
    flush_now()
    assert not PageView.objects.exists()
    assert {r.reason: r.requests for r in FilteredDaily.objects.all()} == {
        "prefetch": 1,
        "head": 1,
    }


def test_staff_are_not_counted(live_server: LiveServer, article: Article) -> None:
    """A logged-in editor's reading is not a reader's view."""
    staff = User.objects.create_user("editor", password="x", is_staff=True)
    client = Client()
    client.force_login(staff)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    with httpx.Client(base_url=live_server.url, cookies=cookies) as http:
        response = http.get(article.get_absolute_url(), headers={"User-Agent": agents.SAFARI_MAC})
    assert response.status_code == 200
    assert flush_now() == 0


def test_errors_are_not_counted(live_server: LiveServer, article: Article) -> None:
    """404s (missing article or section) are not views."""
    assert _get(live_server, "/article/999999/gone/", agents.FIREFOX_LINUX) == 404
    assert _get(live_server, "/category/nowhere/", agents.FIREFOX_LINUX) == 404
    assert flush_now() == 0


def test_salt_rotation_makes_yesterdays_visitor_unlinkable(
    live_server: LiveServer, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same address and browser on two days get unrelated ids; the old salt is then deleted."""
    day_one = datetime(2026, 3, 10, 23, 59, tzinfo=dt.UTC)
    day_two = datetime(2026, 3, 11, 0, 1, tzinfo=dt.UTC)
    for when in (day_one, day_two):
        monkeypatch.setattr(recorder, "now", lambda when=when: when)
        assert _get(live_server, article.get_absolute_url(), agents.FIREFOX_LINUX) == 200
        flush_now()
    first, second = PageView.objects.order_by("ts").values_list("visitor", flat=True)
    assert first != second
    assert [d.visitors for d in SiteDaily.objects.order_by("day")] == [1, 1]

    prune_salts(now=day_two + timedelta(days=1))
    assert not DailySalt.objects.filter(day=day_one.date()).exists()
    assert DailySalt.objects.filter(day=day_two.date()).exists()
