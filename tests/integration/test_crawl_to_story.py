"""From crawl to story page: real feeds over loopback HTTP, the stage, then the pages."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.demo.catalog import corpus_root
from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.schedule import due_sources
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article, Story
from newsdesk.stories.stage import reset_state, understand_new_articles

pytestmark = pytest.mark.django_db(transaction=True)

FEEDS = {
    "The Washington Post": "washington-post.rss",
    "The New York Times": "new-york-times.rss",
    "Daily Mail": "daily-mail.rss",
}


@pytest.fixture
def sources(corpus_server: CorpusServer) -> list[Source]:
    """Serve three outlets' story feeds (the demo's) and register them as sources."""
    shutil.copytree(corpus_root() / "feeds" / "stories", corpus_server.root / "feeds")
    world = Category.objects.create(name="World", slug="world", order=1)
    return [
        Source.objects.create(
            name=name, feed_url=corpus_server.url(f"feeds/{path}"), category=world
        )
        for name, path in FEEDS.items()
    ]


def test_crawled_reports_become_one_story_page(sources: list[Source], client: Client) -> None:
    """Three outlets crawled over HTTP: their reports of one event share a story page."""
    reset_state()
    results = crawl(due_sources())
    assert all(result.ok and result.new > 0 for result in results)
    assert Article.objects.filter(understood_at__isnull=True).count() == Article.objects.count()
    placed = understand_new_articles()
    assert placed.placed == Article.objects.count()
    # The subway collision: AP's report carried by the Post and the Times, Daily Mail's own.
    subway = Article.objects.filter(title__icontains="subway work trains")
    assert subway.count() == 3
    story = Story.objects.get(pk=subway[0].story_id)
    assert {a.story_id for a in subway} == {story.pk}
    assert story.source_count == 3
    page = client.get(story.get_absolute_url())
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "3 outlets" in text and "First reported by The New York Times" in text
    copy = subway.get(source__name="The Washington Post")
    assert copy.reprint_of is not None and copy.reprint_of.source.name == "The New York Times"
    copy_page = html.unescape(client.get(copy.get_absolute_url()).content.decode())
    assert "Republished from" in copy_page and copy.reprint_of.get_absolute_url() in copy_page
    latest = client.get("/latest/").content.decode()
    assert latest.count(f'href="/story/{story.pk}/"') == 1


def test_a_recrawl_changes_no_placement(sources: list[Source]) -> None:
    """Crawling again (304 Not Modified) stores nothing new and the stage has nothing to do."""
    reset_state()
    crawl(due_sources())
    understand_new_articles()
    before = list(Article.objects.order_by("pk").values_list("pk", "story_id", "reprint_of_id"))
    Source.objects.update(next_fetch_at=timezone.now())
    crawl(Source.objects.all())
    assert understand_new_articles().placed == 0
    after = list(Article.objects.order_by("pk").values_list("pk", "story_id", "reprint_of_id"))
    assert after == before
