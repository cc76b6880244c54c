"""What the middleware and the beacon count, through Django's full request handling."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from newsdesk.hits.models import Device, FilteredDaily, PageKind, PageView
from newsdesk.hits.recorder import Page, flush_now, record_view, referrer_host
from newsdesk.stories.models import Article
from tests.hits import agents
from tests.hits.recording import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return make_article()


@pytest.fixture
def reader() -> Client:
    return Client(HTTP_USER_AGENT=agents.SAFARI_IPHONE, REMOTE_ADDR="203.0.113.9")


def _pages(article: Article) -> list[tuple[str, str]]:
    return [
        (reverse("site:home"), PageKind.HOME),
        (reverse("site:latest"), PageKind.LATEST),
        (reverse("site:category", kwargs={"slug": "world"}), PageKind.CATEGORY),
        (reverse("site:editor", kwargs={"slug": "ada"}), PageKind.EDITOR),
        (reverse("site:search") + "?q=floodplain", PageKind.SEARCH),
        (article.get_absolute_url(), PageKind.ARTICLE),
    ]


def test_each_countable_page_is_one_view_of_its_kind(article: Article, reader: Client) -> None:
    """Home, latest, category, editor, search and article pages each count once, with details."""
    for url, _kind in _pages(article):
        assert reader.get(url, HTTP_REFERER="https://www.google.com/search?q=x").status_code == 200
    assert flush_now() == 6
    views = list(PageView.objects.order_by("id"))
    assert [(v.kind, v.path) for v in views] == [
        (kind, url.split("?")[0]) for url, kind in _pages(article)
    ]
    assert views[-1].article_id == article.pk
    assert {(v.device, v.browser, v.referrer_host) for v in views} == {
        (Device.MOBILE, "Mobile Safari", "google.com")
    }
    # Neither the address nor the User-Agent nor the search words are stored.
    stored = " ".join(f"{v.path} {v.visitor} {v.referrer_host} {v.country}" for v in views)
    assert "203.0.113.9" not in stored and "iPhone" not in stored and "floodplain" not in stored
    assert len({v.visitor for v in views}) == 1


def test_pages_that_are_not_views_are_not_counted(article: Article, reader: Client) -> None:
    """404s, redirects, POSTs, feeds, the admin and counter endpoints are not page views."""
    assert reader.get("/article/999999/nope/").status_code == 404
    assert reader.get("/category/no-such-section/").status_code == 404
    assert reader.post(reverse("site:home")).status_code in (403, 405)
    assert reader.get(reverse("site:feed-rss")).status_code == 200
    assert reader.get("/admin/").status_code == 302
    assert flush_now() == 0
    assert not PageView.objects.exists()


def test_robots_and_head_requests_are_counted_apart(article: Article) -> None:
    """Crawlers, HEAD and prefetches get their page but land in FilteredDaily, not views."""
    url = article.get_absolute_url()
    Client(HTTP_USER_AGENT=agents.GOOGLEBOT).get(url)
    Client(HTTP_USER_AGENT=agents.CHROME_WINDOWS).head(url)
    Client(HTTP_USER_AGENT=agents.CHROME_WINDOWS, HTTP_SEC_PURPOSE="prefetch").get(url)
    Client().get(url)
    flush_now()
    assert not PageView.objects.exists()
    assert {r.reason: r.requests for r in FilteredDaily.objects.all()} == {
        "crawler": 1,
        "head": 1,
        "prefetch": 1,
        "no_user_agent": 1,
    }


def test_staff_are_not_counted(article: Article) -> None:
    """Editors reading their own site do not inflate it, as readers or as bots."""
    staff = User.objects.create_user("editor", password="x", is_staff=True)
    client = Client(HTTP_USER_AGENT=agents.CHROME_WINDOWS)
    client.force_login(staff)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert flush_now() == 0


def test_recording_failure_never_breaks_the_page(
    article: Article, reader: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while recording is logged; the reader still gets the page."""

    def broken(day: object) -> bytes:
        raise RuntimeError("salt store down")

    monkeypatch.setattr("newsdesk.visitors.ids.salt_for", broken)
    assert reader.get(article.get_absolute_url()).status_code == 200
    assert flush_now() == 0


def test_tracking_can_be_switched_off(article: Article, reader: Client, settings: object) -> None:
    """NEWSDESK_HITS_ENABLED=false records nothing at all."""
    settings.NEWSDESK_HITS_ENABLED = False  # type: ignore[attr-defined]
    reader.get(article.get_absolute_url())
    Client(HTTP_USER_AGENT=agents.GOOGLEBOT).get(article.get_absolute_url())
    assert flush_now() == 0


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("https://www.google.com/search?q=x", "google.com"),
        ("https://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("http://testserver/latest/", ""),
        ("http://127.0.0.1:8000/", ""),
        ("", ""),
        ("not a url", ""),
        ("http://[broken/", ""),
        ("android-app://com.google.android.gm/", "com.google.android.gm"),
        # Hostile Referer headers: markup, spaces, paths, forged labels.
        ("http://<script>alert(1)</script>/", ""),
        ("http://evil.example<img src=x onerror=alert(1)>/", ""),
        ("http://exa mple.com/", ""),
        ("http://ex%41mple.com/", ""),
        ("http://a_b.example/", ""),
        ("http://-lead.example/", ""),
        ("http://" + "a" * 64 + ".example/", ""),
        ("http://" + "a." * 130 + "example/", ""),
        ("http://xn--zz.example/", ""),
        ('http://"quoted".example/', ""),
        ("javascript:alert(1)//example.com", ""),
        ("http://[::1]/", ""),
        # Internationalized names are kept as their ASCII (A-label) form.
        ("https://www.bücher.example/", "xn--bcher-kva.example"),
        ("https://EXAMPLE.ORG./path?q=1", "example.org"),
    ],
)
def test_referrer_keeps_only_foreign_hosts(referrer: str, expected: str) -> None:
    """Only the host of another site is kept; our own pages and junk leave it blank."""
    assert referrer_host(referrer, RequestFactory().get("/")) == expected


def test_record_view_reports_whether_a_reader_was_counted() -> None:
    """The entry point answers True only for readers (used by the beacon)."""
    page = Page(kind=PageKind.HOME, path="/")
    human = RequestFactory().get("/", HTTP_USER_AGENT=agents.FIREFOX_LINUX)
    robot = RequestFactory().get("/", HTTP_USER_AGENT=agents.BINGBOT)
    assert record_view(human, page) is True
    assert record_view(robot, page) is False
    assert record_view(robot, page, count_filtered=False) is False
    assert flush_now() == 2


# -- beacon mode --------------------------------------------------------------------------


def _beacon(client: Client, path: str, origin: str = "http://testserver") -> int:
    body = f'{{"p": "{path}", "r": "https://duckduckgo.com/"}}'
    response = client.post(
        reverse("hits:beacon"), body, content_type="text/plain", HTTP_ORIGIN=origin
    )
    return response.status_code


def test_beacon_mode_counts_each_view_once(
    article: Article, reader: Client, settings: object
) -> None:
    """With the beacon on, the page request does not count a reader; its beacon does."""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    url = article.get_absolute_url()
    assert reader.get(url).status_code == 200
    assert flush_now() == 0
    assert _beacon(reader, url) == 204
    assert flush_now() == 1
    stored = PageView.objects.get()
    assert (stored.kind, stored.article_id, stored.path) == ("article", article.pk, url)


def test_beacon_stores_the_pages_own_referrer(
    article: Article, reader: Client, settings: object
) -> None:
    """The beacon carries document.referrer; that host is stored, not the beacon's Referer."""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    _beacon(reader, article.get_absolute_url())
    flush_now()
    assert PageView.objects.get().referrer_host == "duckduckgo.com"


def test_beacon_mode_still_counts_robots_at_the_page(article: Article, settings: object) -> None:
    """Robots rarely run scripts: their page requests are filtered, their beacons ignored."""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    bot = Client(HTTP_USER_AGENT=agents.HEADLESS_CHROME)
    bot.get(article.get_absolute_url())
    _beacon(bot, article.get_absolute_url())
    flush_now()
    assert not PageView.objects.exists()
    assert FilteredDaily.objects.get().requests == 1


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/article/{pk}/x/", "https://evil.example"),
        ("/article/{pk}/x/", "null"),
        ("/article/999999/x/", "http://testserver"),
        ("/category/no-such-section/", "http://testserver"),
        ("/feeds/latest.rss", "http://testserver"),
        ("/admin/", "http://testserver"),
        ("//evil.example/", "http://testserver"),
        ("https://evil.example/", "http://testserver"),
    ],
)
def test_beacon_ignores_foreign_origins_and_uncountable_paths(
    article: Article, reader: Client, settings: object, path: str, origin: str
) -> None:
    """Only same-origin beacons for existing countable pages are recorded."""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    assert _beacon(reader, path.format(pk=article.pk), origin=origin) == 204
    assert flush_now() == 0


def test_beacon_is_ignored_when_the_middleware_counts(
    article: Article, reader: Client, settings: object
) -> None:
    """With the beacon off a stray beacon adds nothing: the page request already counted."""
    settings.NEWSDESK_HITS_BEACON = False  # type: ignore[attr-defined]
    reader.get(article.get_absolute_url())
    _beacon(reader, article.get_absolute_url())
    assert flush_now() == 1


def test_beacon_pixel_for_get(article: Article, reader: Client, settings: object) -> None:
    """GET answers a 1x1 GIF and records like POST when sent from our own page."""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    response = reader.get(
        reverse("hits:beacon"),
        {"p": article.get_absolute_url()},
        HTTP_REFERER=f"http://testserver{article.get_absolute_url()}",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert flush_now() == 1


def test_beacon_script_is_emitted_only_in_beacon_mode(settings: object) -> None:
    """The include loads the beacon script file in beacon mode and nothing otherwise."""
    request = RequestFactory().get("/")
    settings.NEWSDESK_HITS_BEACON = False  # type: ignore[attr-defined]
    assert render_to_string("hits/_beacon.html", request=request).strip() == ""
    settings.NEWSDESK_HITS_BEACON = True  # type: ignore[attr-defined]
    html = render_to_string("hits/_beacon.html", request=request)
    assert "hits/beacon.js" in html and f'data-url="{reverse("hits:beacon")}"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
