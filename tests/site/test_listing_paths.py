"""Listings at scale: one card per story without a window, pages without a full count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.site import queries
from newsdesk.stories.models import Article, Story
from tests.site.factories import make_article, make_category, make_source

pytestmark = pytest.mark.django_db


def _latest() -> list[Article]:
    """Latest News's articles in listing order, one card per story."""
    listing = queries.ListedIds(queries.story_cards())
    return listing.rows(listing.ids(0, 1000))


def _story() -> Story:
    return Story.objects.create(headline="An event")


def test_card_prefers_the_newest_original_over_a_newer_copy() -> None:
    """A story's card is its newest original; a newer copy and an older original stay folded."""
    now = timezone.now()
    story = _story()
    old = make_article(title="First report", story=story, published_at=now - timedelta(hours=3))
    newest_original = make_article(
        title="Second report", story=story, published_at=now - timedelta(hours=2)
    )
    make_article(title="Copy", story=story, reprint_of=old, published_at=now - timedelta(hours=1))
    alone = make_article(title="Alone", published_at=now - timedelta(minutes=30))
    shown = _latest()
    assert shown == [alone, newest_original]


def test_card_of_copies_only_is_the_copy_of_the_lowest_original_then_newest() -> None:
    """Without an original listed, the copies rank as before: lowest original id, then newest."""
    now = timezone.now()
    story = _story()
    hidden_source = make_source(active=False)
    first = make_article(source=hidden_source, story=story, published_at=now - timedelta(hours=5))
    second = make_article(source=hidden_source, story=story, published_at=now - timedelta(hours=4))
    of_first = make_article(story=story, reprint_of=first, published_at=now - timedelta(hours=3))
    make_article(story=story, reprint_of=second, published_at=now - timedelta(hours=1))
    assert _latest() == [of_first]


def test_same_time_reports_keep_the_higher_id() -> None:
    """Two originals published in the same second: the later stored one is the card."""
    at = timezone.now() - timedelta(hours=1)
    story = _story()
    make_article(story=story, published_at=at)
    later = make_article(story=story, published_at=at)
    assert _latest() == [later]


def test_category_page_shows_a_storys_newest_report_in_that_category(client: Client) -> None:
    """A story reported in two sections shows in each, by its newest report there."""
    now = timezone.now()
    sport, world = make_category(name="Sport"), make_category(name="World")
    story = _story()
    in_sport = make_article(
        source=make_source(category=sport), story=story, published_at=now - timedelta(hours=2)
    )
    in_world = make_article(
        source=make_source(category=world), story=story, published_at=now - timedelta(hours=1)
    )
    assert list(client.get("/category/sport/").context["page_obj"].object_list) == [in_sport]
    assert list(client.get("/category/world/").context["page_obj"].object_list) == [in_world]
    assert list(client.get("/latest/").context["page_obj"].object_list) == [in_world]


def test_listing_pages_never_count_the_whole_listing(client: Client) -> None:
    """Latest News asks for the page and a few pages ahead, never COUNT(*) of everything."""
    source = make_source()
    for number in range(30):
        make_article(source=source, title=f"Story {number:02d}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/latest/?page=2")
    assert response.status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    html = response.content.decode()
    assert 'rel="prev" href="?page=1"' in html
    assert 'rel="next"' not in html


def test_links_reach_only_pages_that_exist(client: Client) -> None:
    """Page 1 of 130 articles links pages 2 and 3 and "Older"; page 7 is the last."""
    source = make_source()
    Article.objects.bulk_create(
        Article(
            source=source,
            guid=f"g{n}",
            url=f"https://example.org/{n}",
            slug=f"a-{n}",
            title=f"Story {n}",
            published_at=timezone.now() - timedelta(minutes=n),
            first_seen_at=timezone.now(),
        )
        for n in range(130)
    )
    first = client.get("/latest/").content.decode()
    assert 'href="?page=3"' in first and 'rel="next" href="?page=2"' in first
    last = client.get("/latest/?page=7")
    assert len(last.context["page_obj"].object_list) == 10
    assert 'rel="next"' not in last.content.decode()
    assert client.get("/latest/?page=8").status_code == 404
