"""RSS, Atom, sitemap and robots.txt."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client

from newsdesk.comments.models import Comment, Status
from newsdesk.stories.models import Article, ArticleStatus
from tests.site.factories import make_article, make_category, make_source

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse(client: Client, url: str, content_type: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    return ElementTree.fromstring(response.content)


@pytest.fixture
def articles() -> None:
    world = make_source(name="World Wire", category=make_category(name="World"))
    make_article(
        source=world,
        title="Summit ends <with> a deal & more",
        author="Kim Writer",
        published_at=datetime(2024, 6, 22, 20, 49, 2, tzinfo=UTC),
    )
    make_article(source=world, title="Hidden one", status=ArticleStatus.HIDDEN)
    make_article(source=make_source(category=make_category(name="Tech")), title="Chip news")


def test_rss_lists_published_articles(client: Client, articles: None) -> None:
    """The RSS feed is RSS 2.0 with published articles, absolute links and plain titles."""
    root = parse(client, "/feeds/latest.rss", "application/rss+xml")
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    titles = [item.findtext("title") for item in items]
    assert titles == ["Chip news", "Summit ends <with> a deal & more"]
    summit = items[1]
    assert summit.findtext("link", "").startswith("http://127.0.0.1:8000/article/")
    assert summit.findtext("pubDate") == "Sat, 22 Jun 2024 20:49:02 +0000"
    assert summit.findtext("category") == "World"
    assert "Originally published by" in summit.findtext("description", "")
    assert "World Wire" in summit.findtext("description", "")


def test_atom_lists_published_articles(client: Client, articles: None) -> None:
    """The Atom feed carries the same entries with authors and a self link."""
    root = parse(client, "/feeds/latest.atom", "application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Chip news",
        "Summit ends <with> a deal & more",
    ]
    assert entries[1].findtext(f"{ATOM}author/{ATOM}name") == "Kim Writer"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "http://127.0.0.1:8000/feeds/latest.atom"


def test_category_feed_lists_only_that_category(client: Client, articles: None) -> None:
    """A category feed holds only that category's published articles."""
    root = parse(client, "/feeds/category/world.rss", "application/rss+xml")
    assert root.findtext("./channel/title") == "Newsdesk: World"
    assert [i.findtext("title") for i in root.findall("./channel/item")] == [
        "Summit ends <with> a deal & more"
    ]
    assert client.get("/feeds/category/nope.rss").status_code == 404


def test_sitemap_lists_pages_categories_editors_and_articles(
    client: Client, articles: None
) -> None:
    """The sitemap holds static pages, categories, editors and published articles only."""
    root = parse(client, "/sitemap.xml", "application/xml")
    locations = [url.findtext(f"{SITEMAP}loc", "") for url in root.findall(f"{SITEMAP}url")]
    base = "http://127.0.0.1:8000"
    assert f"{base}/" in locations
    assert f"{base}/latest/" in locations
    assert f"{base}/disclaimer/" in locations
    assert f"{base}/category/world/" in locations
    assert sum("/editor/" in loc for loc in locations) == 2
    articles_in_map = [loc for loc in locations if "/article/" in loc]
    assert len(articles_in_map) == 2
    assert not any("hidden-one" in loc for loc in articles_in_map)
    lastmods = [url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")]
    assert "2024-06-22" in lastmods


def test_sitemap_uses_public_site_url(client: Client, articles: None, settings) -> None:
    """Sitemap locations use NEWSDESK_SITE_URL, not the requesting host."""
    settings.NEWSDESK_SITE_URL = "https://news.example.org"
    root = parse(client, "/sitemap.xml", "application/xml")
    locations = [url.findtext(f"{SITEMAP}loc", "") for url in root.findall(f"{SITEMAP}url")]
    assert all(loc and loc.startswith("https://news.example.org/") for loc in locations)


def test_robots_points_to_sitemap(client: Client, settings) -> None:
    """robots.txt keeps crawlers out of admin and search and names the sitemap."""
    settings.NEWSDESK_SITE_URL = "https://news.example.org/"
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: https://news.example.org/sitemap.xml" in text


# Characters XML 1.0 cannot carry, as an article stored before ingest cleaned them might hold.
BAD = "\x08\x0b\x0c\x1b\x7f\ufffe"


@pytest.fixture
def dirty_article(db: None) -> Article:
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL refuses NUL itself
    source = make_source(name=f"Wire{BAD}", category=make_category(name="World"))
    return make_article(
        source=source,
        title=f"Bad{BAD}{nul} title",
        summary=f"Sum{BAD}mary",
        author=f"Au{BAD}thor",
        slug=f"bad{BAD}-slug",
    )


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/feeds/latest.rss", "application/rss+xml"),
        ("/feeds/latest.atom", "application/atom+xml"),
        ("/feeds/category/world.rss", "application/rss+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/comments/feed.atom", "application/atom+xml"),
        ("/comments/article/{pk}.atom", "application/atom+xml"),
    ],
)
def test_stored_control_characters_never_break_our_feeds(
    client: Client, dirty_article: Article, url: str, content_type: str
) -> None:
    """A stored article (and comment) with control characters gives well-formed XML, not a 500."""
    Comment.objects.create(
        article=dirty_article,
        name=f"Na{BAD}me",
        body="b",
        body_html=f"<p>Hi{BAD}</p>",
        body_hash="h",
        visitor_hash="v",
        status=Status.APPROVED,
    )
    root = parse(client, url.format(pk=dirty_article.pk), content_type)
    text = ElementTree.tostring(root, encoding="unicode")
    assert not any(char in text for char in BAD + "\x00")
    if "sitemap" not in url:
        assert "Bad title" in text
