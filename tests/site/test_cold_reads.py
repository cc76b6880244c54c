"""What a page costs with every cache cleared: few queries, narrow rows, the same content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.hits.models import ArticleHourly
from newsdesk.hits.popular import POPULAR_FIELDS, most_popular
from newsdesk.site import cards, queries
from newsdesk.stories.models import Article, ArticleStatus, Story
from newsdesk.stories.queries import coverage, lead_article, lead_articles
from tests.site.factories import make_article, make_category, make_image, make_source

pytestmark = pytest.mark.django_db


def _story_of(*articles: Article) -> Story:
    """Put ``articles`` in one story, the first of them its first report."""
    story = Story.objects.create(headline="An event", first_article=articles[0])
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(story=story)
    return story


def test_lead_articles_match_lead_article_one_query_when_first_reports_are_listed() -> None:
    """Every story's lead is the one lead_article picks, read in one query, narrow when asked."""
    stories = [_story_of(make_article(), make_article()) for _ in range(4)]
    with CaptureQueriesContext(connection) as captured:
        leads = lead_articles(stories, queries.NARROW_FIELDS)
    assert len(captured.captured_queries) == 1
    assert {pk: a.pk for pk, a in leads.items()} == {
        s.pk: lead_article(s).pk  # type: ignore[union-attr]
        for s in stories
    }
    assert all("body_html" in a.get_deferred_fields() for a in leads.values())


def test_lead_articles_fall_back_when_the_first_report_is_hidden_or_moved() -> None:
    """A hidden first report or one now in another story leaves the pick to lead_article."""
    hidden_first = make_article()
    kept = make_article()
    hidden = _story_of(hidden_first, kept)
    Article.objects.filter(pk=hidden_first.pk).update(status=ArticleStatus.HIDDEN)
    moved_first = make_article()
    stayed = make_article()
    moved = _story_of(moved_first, stayed)
    _story_of(moved_first)  # the first report now belongs to another story
    empty = Story.objects.create(headline="Nothing listed")
    moved.refresh_from_db()
    leads = lead_articles([hidden, moved, empty])
    assert leads[hidden.pk] == kept
    assert leads[moved.pk] == stayed
    assert empty.pk not in leads


def test_newest_per_category_reads_each_category_alone() -> None:
    """One compiled part serves every category: each keeps only its own sources' articles."""
    now = timezone.now()
    expected: dict[int, list[int]] = {}
    for number in range(3):
        category = make_category()
        source = make_source(category=category)
        made = [
            make_article(source=source, published_at=now - timedelta(minutes=number * 10 + k))
            for k in range(3)
        ]
        expected[category.pk] = [a.pk for a in made[:2]]
    found = queries.newest_per_category(list(expected), 2)
    got: dict[int, list[int]] = {}
    for candidate in found:
        got.setdefault(candidate.category_id, []).append(candidate.pk)
    assert got == expected
    assert queries.newest_per_category([], 2) == []


@pytest.mark.parametrize("walk", [0, 3, 7, 1000])
def test_home_blocks_from_the_walk_match_a_walk_per_category(walk: int) -> None:
    """Blocks filled from the newest-articles walk, or read for short categories, are the same."""
    now = timezone.now()
    categories = []
    for number in range(3):
        category = make_category()
        categories.append(category)
        sources = [make_source(category=category) for _ in range(2)]
        for k in range(4 + number * 3):
            minutes = k * 3 + number
            make_article(source=sources[k % 2], published_at=now - timedelta(minutes=minutes))
    make_article(source=make_source(category=None))
    walked = queries.home_walk(walk)
    expected = queries.latest_per_category(categories, 1)
    with CaptureQueriesContext(connection) as captured:
        found = queries.latest_per_category(
            categories, 1, None, walked, walked_all=len(walked) < walk
        )
    assert found == expected
    # A walk that holds every listed article leaves nothing to read.
    assert (len(captured.captured_queries) == 0) == (walk == 1000)


def test_listed_ids_page_rows_in_listing_order_without_hidden_ones() -> None:
    """A page's ids come from the listing; its rows are read whole, in that order, listed only."""
    category = make_category()
    source = make_source(category=category)
    made = [make_article(source=source) for _ in range(4)]
    listing = queries.ListedIds(queries.story_cards(category=category))
    ids = listing.ids(1, 3)
    assert ids == [made[1].pk, made[2].pk]
    Article.objects.filter(pk=made[2].pk).update(status=ArticleStatus.HIDDEN)
    rows = listing.rows(ids)
    assert rows == [made[1]]
    assert rows[0].source.category == category  # read with the listing's related rows


def test_most_popular_reads_titles_and_links_only() -> None:
    """The sidebar list reads no bodies and asks three queries with its cache cleared."""
    article = make_article(title="Read by many")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ArticleHourly.objects.create(article=article, hour=hour, views=9, visitors=5)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        ranked = most_popular("24h")
        assert [(a.title, a.get_absolute_url(), n) for a, n in ranked] == [
            ("Read by many", article.get_absolute_url(), 5)
        ]
    assert len(captured.captured_queries) == 3
    assert set(ranked[0][0].get_deferred_fields()).isdisjoint(POPULAR_FIELDS)
    assert "body_html" in ranked[0][0].get_deferred_fields()


def test_cold_home_page_asks_a_bounded_number_of_queries(client: Client) -> None:
    """With every cache cleared, the home page's queries do not grow with its stories."""
    for _ in range(6):
        category = make_category()
        source = make_source(category=category)
        for _ in range(3):
            first = make_article(source=source)
            _story_of(first, make_article(source=make_source(category=category)))
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert len(captured.captured_queries) <= 15


def test_cards_render_as_whole_rows_do_without_reading_more() -> None:
    """A list item and the home page's kicker read from card rows match whole rows, no query."""
    category = make_category(name="Science")
    pictured = make_article(
        source=make_source(category=category), image=make_image(), image_alt="A comet"
    )
    plain = make_article(source=make_source(category=None), summary="")
    ids = [pictured.pk, plain.pk]
    whole = queries.listing().in_bulk(ids)
    read = queries.read_listed(ids)
    assert [a.pk for a in read] == ids
    with CaptureQueriesContext(connection) as captured:
        for article in read:
            expected = whole[article.pk]
            for compact in (False, True):
                assert cards.story_item(article, compact) == cards.story_item(expected, compact)
            category_of = article.source.category
            assert (category_of and category_of.get_absolute_url()) == (
                expected.source.category and expected.source.category.get_absolute_url()
            )
    assert captured.captured_queries == []


def test_card_rows_carry_the_comment_counts_load_comment_counts_gives() -> None:
    """Cards read by id count approved comments in their own query, as the template tag would."""
    from newsdesk.comments.models import Comment, Status
    from newsdesk.comments.templatetags.comments_tags import load_comment_counts

    busy, quiet = make_article(), make_article()
    for n, status in enumerate((Status.APPROVED, Status.APPROVED, Status.PENDING, Status.SPAM)):
        Comment.objects.create(article=busy, name="R", body=f"{n}", body_hash=f"{n}", status=status)
    read = queries.read_listed([busy.pk, quiet.pk])
    expected = sorted(queries.listing().filter(pk__in=[busy.pk, quiet.pk]), key=lambda a: a.pk)
    load_comment_counts(expected)
    assert [a.comment_count for a in read] == [a.comment_count for a in expected] == [2, 0]
    with CaptureQueriesContext(connection) as captured:
        load_comment_counts(read)
    assert captured.captured_queries == []


def test_cold_listing_pages_read_no_field_per_card(client: Client) -> None:
    """Latest News and a category page ask the same few queries for 3 cards as for 20."""
    category = make_category()
    counts = []
    for cards_shown in (3, 20):
        Article.objects.all().delete()
        for _ in range(cards_shown):
            make_article(source=make_source(category=category), image=make_image())
        row = []
        for url in ("/latest/", category.get_absolute_url()):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            row.append(len(captured.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1]


def test_coverage_reads_the_articles_around_in_one_query() -> None:
    """Original, copies (by date) and the story's other reports (by report) come from one read."""
    now = timezone.now()
    original = make_article(title="Original", published_at=now - timedelta(hours=5))
    article = make_article(
        title="This copy", reprint_of=original, published_at=now - timedelta(hours=4)
    )
    later_copy = make_article(reprint_of=article, published_at=now - timedelta(hours=1))
    early_copy = make_article(reprint_of=article, published_at=now - timedelta(hours=2))
    other = make_article(title="Other outlet", published_at=now - timedelta(hours=3))
    hidden = make_article(published_at=now - timedelta(hours=3), status=ArticleStatus.HIDDEN)
    story = _story_of(original, article, early_copy, other, hidden)
    shown = Article.objects.for_listing().select_related("story").get(pk=article.pk)
    with CaptureQueriesContext(connection) as captured:
        found = coverage(shown)
    assert len(captured.captured_queries) == 1
    assert found.story == story and found.original == original
    assert found.republished_by == [early_copy, later_copy]  # the later one is in no story
    assert found.also_reported_by == [other]
    assert "body_html" in found.original.get_deferred_fields()


def test_recent_rows_carry_what_choosing_reads() -> None:
    """The home page's candidates are plain rows with the fields the choosing reads."""
    pictured = make_article(image=make_image())
    plain = Article.objects.get(story=_story_of(make_article()))
    rows = queries.recent_rows(queries.narrow_listing()[:2])
    assert rows == [queries.Recent.of(a) for a in (pictured, plain)]
    assert rows[0].image_id == pictured.image_id and rows[1].story_id is not None
    assert queries.choose_lead(None, rows) == rows[0]  # the newest with a picture
