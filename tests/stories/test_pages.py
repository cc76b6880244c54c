"""Readers' side of stories: cards, the story page, reprint credit, the lead, Most Popular."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.hits.models import ArticleHourly, PageView
from newsdesk.hits.popular import most_popular
from newsdesk.stories.models import Article, Story
from newsdesk.stories.stage import reset_state, understand_new_articles
from tests.site.factories import make_article, make_category, make_source
from tests.stories.helpers import event, store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    reset_state()


@pytest.fixture
def story() -> dict[str, Article]:
    """An event reported by three outlets, and a republisher's copy of the first report."""
    world = make_category(name="World")
    # Four outlets' own words about one break-up: one story, no copies among them.
    reports = event(56)
    stored = {
        "first": store(reports[0], source=make_source(name="First Outlet", category=world)),
        "second": store(reports[1], source=make_source(name="Second <b>Outlet</b>")),
        "third": store(reports[2], source=make_source(name="Third Outlet", category=world)),
    }
    stored["copy"] = store(
        reports[0],
        source=make_source(name="Republisher", category=world),
        body_text="Republished with permission.\n" + reports[0].text,
        url="https://republisher.example/copy",
        canonical_url="https://republisher.example/copy",
        published_at=reports[0].published + timedelta(hours=8),
    )
    understand_new_articles()
    for article in stored.values():
        article.refresh_from_db()
    return stored


def text_of(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
    return re.sub(r" ([,.)])", r"\1", text)


def test_latest_news_shows_one_card_per_story(client: Client, story: dict[str, Article]) -> None:
    """Four articles of one story make one card, naming the other three outlets."""
    alone = make_article(title="A story of its own")
    page = client.get("/latest/")
    titles = re.findall(r'class="story-title"><a href="([^"]+)"', page.content.decode())
    story_id = story["first"].story_id
    in_story = [t for t in titles if any(t == a.get_absolute_url() for a in story.values())]
    assert len(in_story) == 1 and alone.get_absolute_url() in titles
    # The card is an original report, never the republisher's copy (newer though it is).
    assert in_story[0] != story["copy"].get_absolute_url()
    shown = text_of(page)
    assert "+3 sources" in shown
    assert f'href="/story/{story_id}/"' in page.content.decode()
    # Outlet names are text: a name with markup is shown escaped, never as markup.
    assert "Second &lt;b&gt;Outlet&lt;/b&gt;" in page.content.decode()


def test_category_page_keeps_one_card_per_story(client: Client, story: dict[str, Article]) -> None:
    """The World page shows the story once, though three of its articles are in World."""
    page = client.get("/category/world/").content.decode()
    cards = re.findall(r'<article class="story', page)
    assert len(cards) == 1


def test_story_page_lists_every_report_in_order(client: Client, story: dict[str, Article]) -> None:
    """The timeline names outlets and times, marks the first report and the copy."""
    response = client.get(f"/story/{story['first'].story_id}/")
    assert response.status_code == 200
    shown = text_of(response)
    assert "4 outlets" in shown and "4 reports" in shown
    assert "First reported by First Outlet" in shown
    body = response.content.decode()
    for article in story.values():
        assert article.get_absolute_url() in body
        assert article.url in body
    assert body.count("is-reprint") == 1 and body.count("is-first") == 1
    assert body.index("First Outlet") < body.index("Republisher")


def test_story_page_of_a_hidden_only_story_is_404(client: Client) -> None:
    """A story without a published article has no page."""
    empty = Story.objects.create(headline="Nothing left")
    assert client.get(f"/story/{empty.pk}/").status_code == 404


def test_copy_credits_its_original_and_the_original_lists_it(
    client: Client, story: dict[str, Article]
) -> None:
    """The copy says where it was first published; the original lists who republished it."""
    copy_page = text_of(client.get(story["copy"].get_absolute_url()))
    assert "Republished from First Outlet, first published" in copy_page
    original_page = client.get(story["first"].get_absolute_url())
    assert "Republished by Republisher" in text_of(original_page)
    assert "Also reported by" in text_of(original_page)
    assert f"/story/{story['first'].story_id}/" in original_page.content.decode()


def test_home_lead_is_the_biggest_story_not_the_newest_post(
    client: Client, story: dict[str, Article]
) -> None:
    """A four-outlet story leads over a single post published a little later."""
    newest = story["first"].published_at + timedelta(hours=3)
    make_article(title="A newer single post", published_at=newest, first_seen_at=newest)
    understand_new_articles()
    page = client.get("/").content.decode()
    lead = re.search(r'class="lead-title"><a href="([^"]+)"', page)
    assert lead is not None
    members = {a.get_absolute_url() for a in story.values()}
    assert lead.group(1) in members


def test_most_popular_adds_up_a_storys_copies(story: dict[str, Article]) -> None:
    """Readers of the original and its copy count for their story, above a busier lone article."""
    lone = make_article(title="Lone popular article")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ArticleHourly.objects.create(article=lone, hour=hour, views=9, visitors=5)
    ArticleHourly.objects.create(article=story["first"], hour=hour, views=3, visitors=3)
    ArticleHourly.objects.create(article=story["copy"], hour=hour, views=4, visitors=4)
    ranked = most_popular("24h", limit=2)
    assert ranked[0][1] == 7 and ranked[0][0].story_id == story["first"].story_id
    assert ranked[1] == (lone, 5)


def test_story_readers_count_distinct_visitors(client: Client, story: dict[str, Article]) -> None:
    """The story page counts each reader once across the story's articles."""
    now = timezone.now()
    for article, visitor in [("first", "v1"), ("copy", "v1"), ("second", "v2")]:
        PageView.objects.create(
            ts=now,
            kind="article",
            path="/",
            article=story[article],
            visitor=visitor,
            device="desktop",
        )
    assert "2 readers" in text_of(client.get(f"/story/{story['first'].story_id}/"))
