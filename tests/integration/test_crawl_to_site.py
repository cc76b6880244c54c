"""Crawl real feeds over a real loopback HTTP server, then read the site's pages."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.schedule import due_sources
from newsdesk.sources.models import Category, Editor, FetchStatus, Source
from newsdesk.stories.models import Article

DATA = Path(__file__).resolve().parents[1] / "data" / "integration"
ARTICLES = DATA.parent / "articles" / "readability"

pytestmark = pytest.mark.django_db(transaction=True)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


@pytest.fixture
def site(corpus_server: CorpusServer) -> dict[str, Source]:
    """Serve the fixtures and register four sources: two good, two broken."""
    root = corpus_server.root
    (root / "pages").mkdir()
    for name in ("ars-1.html", "heise.html"):
        shutil.copy(ARTICLES / name, root / "pages" / name)
    shutil.copytree(DATA / "feeds", root / "feeds")
    rss = (root / "feeds" / "summary.rss").read_text()
    (root / "feeds" / "summary.rss").write_text(rss.replace("{{BASE_URL}}", corpus_server.base_url))
    tech = Category.objects.create(name="Technology", slug="technology", order=1)
    politics = Category.objects.create(name="Politics", slug="politics", order=2)
    editor = Editor.objects.create(
        display_name="Ada Editor", slug="ada", bio="Ada is an editor covering all types of news."
    )

    def source(name: str, path: str, category: Category) -> Source:
        return Source.objects.create(
            name=name, feed_url=corpus_server.url(path), category=category, editor=editor
        )

    return {
        "wire": source("Loopback Wire", "feeds/summary.rss", tech),
        "tpm": source("Talking Points Memo", "feeds/tpm.atom", politics),
        "html": source("Not A Feed", "feeds/notafeed.html", tech),
        "gone": source("Gone Away", "feeds/missing.xml", tech),
    }


def test_crawl_stores_articles_and_errors(site: dict[str, Source]) -> None:
    """Good sources yield articles with full text; broken ones fail alone with a stored error."""
    results = {r.source_name: r for r in crawl(due_sources())}
    assert results["Loopback Wire"].new == 3
    assert results["Talking Points Memo"].new == 20
    assert not results["Not A Feed"].ok and not results["Gone Away"].ok

    ars = Article.objects.get(guid="loopback-wire-ars-1")
    text = normalise(ars.body_text)
    assert "A flaw in the wildly popular online game Minecraft makes it easy" in text
    assert "some form of recursion and size limits should be implemented." in text
    assert ars.language == "en"
    assert Article.objects.get(guid="loopback-wire-heise").language == "de"

    future = Article.objects.get(guid="loopback-wire-xss")
    assert future.published_at <= timezone.now() + timedelta(minutes=1)
    assert future.published_at == future.first_seen_at

    for key, error in (("html", "ParseError"), ("gone", "404")):
        broken = Source.objects.get(pk=site[key].pk)
        assert broken.last_status == FetchStatus.ERROR
        assert error in broken.last_error
        assert broken.consecutive_failures == 1
        assert broken.next_fetch_at > timezone.now()


def test_second_crawl_is_conditional(site: dict[str, Source], corpus_server: CorpusServer) -> None:
    """A second crawl sends ETag/Last-Modified, gets 304s and creates no duplicates."""
    crawl(due_sources())
    count = Article.objects.count()
    Source.objects.update(next_fetch_at=timezone.now())
    crawl(due_sources())
    assert Article.objects.count() == count
    for path in ("/feeds/summary.rss", "/feeds/tpm.atom"):
        first, second = corpus_server.requests_for(path)[-2:]
        assert "If-None-Match" not in first.headers
        assert second.headers.get("If-None-Match")
        assert second.status == 304
    wire = Source.objects.get(pk=site["wire"].pk)
    assert wire.last_status == FetchStatus.NOT_MODIFIED
    assert wire.etag


def test_changed_entry_updates_in_place(
    site: dict[str, Source], corpus_server: CorpusServer
) -> None:
    """An entry fetched again with new text updates the stored article and its updated time."""
    crawl([site["wire"]])
    feed = corpus_server.root / "feeds" / "summary.rss"
    feed.write_text(feed.read_text().replace("Two-year-old bug", "A two-year-old bug"))
    crawl([Source.objects.get(pk=site["wire"].pk)])
    ars = Article.objects.get(guid="loopback-wire-ars-1")
    assert Article.objects.filter(guid="loopback-wire-ars-1").count() == 1
    assert ars.updated_at is not None
    assert ars.summary.startswith("A two-year-old bug")


def test_pages_show_crawled_content(site: dict[str, Source], client: Client) -> None:
    """Home, category, article and editor pages show what the crawler stored."""
    crawl(due_sources())
    ars = Article.objects.get(guid="loopback-wire-ars-1")
    home = client.get("/").content.decode()
    assert "Minecraft exploit" in home
    assert "Talking Points Memo" in home
    category = client.get("/category/technology/").content.decode()
    assert "1Password für Mac" in category
    assert "Hannity" not in category

    page = normalise(client.get(ars.get_absolute_url()).content.decode())
    assert "makes it easy for just about anyone to crash the server" in page
    assert "Originally published by" in page and "Loopback Wire" in page
    assert f'href="{ars.url}"' in page
    assert "Ada is an editor covering all types of news." in page
    text = re.sub(r"<[^>]+>", "", page)  # the date has a long and a short (phone) form
    assert re.search(r"Date: April 16, 2015(Apr 16, 2015)?\s*Time: \d\d:30 UTC", text)

    editor = client.get("/editor/ada/").content.decode()
    assert "Ada Editor" in editor
    assert "Harmless" in editor  # the newest of her 23 articles
    older = client.get("/editor/ada/?page=2").content.decode()
    assert "Minecraft exploit" in older


def test_feed_html_never_reaches_the_page(site: dict[str, Source], client: Client) -> None:
    """Script, event handlers, javascript: URLs and SVG from a feed are gone from the page."""
    crawl([site["wire"]])
    article = Article.objects.get(guid="loopback-wire-xss")
    html = client.get(article.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()
    for page in (html, home):
        assert "<script>alert" not in page
        assert "onerror=" not in page
        assert "javascript:alert" not in page
        assert "<svg onload" not in page


def test_new_guid_same_url_is_the_same_article(
    site: dict[str, Source], corpus_server: CorpusServer
) -> None:
    """A feed that renames an entry's guid but keeps its link does not create a duplicate."""
    crawl([site["wire"]])
    feed = corpus_server.root / "feeds" / "summary.rss"
    feed.write_text(
        feed.read_text()
        .replace("loopback-wire-ars-1", "renamed-guid")
        .replace("Two-year-old bug", "Two-year-old flaw")
    )
    crawl([Source.objects.get(pk=site["wire"].pk)])
    stored = Article.objects.filter(url__endswith="/pages/ars-1.html")
    assert stored.count() == 1
    assert stored.get().summary.startswith("Two-year-old flaw")


def test_changed_feed_reads_stored_articles_once(
    site: dict[str, Source], corpus_server: CorpusServer
) -> None:
    """A changed 20-entry feed looks up its stored articles in one query, not one per entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    crawl([site["tpm"]])
    feed = corpus_server.root / "feeds" / "tpm.atom"
    feed.write_text(feed.read_text().replace("Sebastian Gorka", "Sebastian L. Gorka", 1))
    with CaptureQueriesContext(connection) as queries:
        results = crawl([Source.objects.get(pk=site["tpm"].pk)], workers=1)
    assert (results[0].new, results[0].updated, results[0].unchanged) == (0, 1, 19)
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "stories_article"')]
    assert len(reads) == 1
