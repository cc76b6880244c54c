"""Public counters (SVG and JSON) and the template tags that show counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from newsdesk.hits.models import SiteCounter
from newsdesk.stories.models import ArticleStatus
from tests.hits.showing import add_views, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_article_counter_json(client: Client) -> None:
    """The JSON counter gives the article's views, cacheable and open to any origin."""
    article = make_article("Counted")
    add_views(article, 1, 4, now=timezone.now())
    add_views(article, 30, 3, now=timezone.now())
    response = client.get(f"/hits/counter/article/{article.pk}.json")
    assert response.json() == {"views": 7, "label": "views"}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in response["Cache-Control"]


def test_article_counter_svg(client: Client) -> None:
    """The SVG counter is a well-formed image showing the formatted count."""
    article = make_article("Counted")
    add_views(article, 1, 1234, now=timezone.now())
    response = client.get(f"/hits/counter/article/{article.pk}.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age=60" in response["Cache-Control"]
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("data-views") == "1234"
    assert "1,234" in response.content.decode()


def test_counter_is_cached(client: Client) -> None:
    """Within the cache time a counter answers from cache, not the database."""
    SiteCounter.objects.create(views=10)
    assert client.get("/hits/counter/site.json").json()["views"] == 10
    SiteCounter.objects.update(views=11)
    assert client.get("/hits/counter/site.json").json()["views"] == 10
    cache.clear()
    assert client.get("/hits/counter/site.json").json()["views"] == 11


def test_site_counter_svg_and_empty_site(client: Client) -> None:
    """Before any view the site counter shows zero."""
    response = client.get("/hits/counter/site.svg")
    assert response.status_code == 200
    assert ET.fromstring(response.content).get("data-views") == "0"


@pytest.mark.parametrize("status", [ArticleStatus.HIDDEN])
def test_hidden_or_missing_article_has_no_counter(client: Client, status: str) -> None:
    """Hidden and unknown articles answer 404."""
    hidden = make_article("Hidden", status=status)
    assert client.get(f"/hits/counter/article/{hidden.pk}.json").status_code == 404
    assert client.get("/hits/counter/article/999999.svg").status_code == 404


def render(source: str, **context: object) -> str:
    return Template("{% load hits_tags %}" + source).render(Context(context))


def test_article_views_tag_renders_the_count() -> None:
    """``{% article_views article %}`` shows the real all-time count."""
    article = make_article("Read often")
    add_views(article, 2, 1500, now=timezone.now())
    html = render("{% article_views article %}", article=article)
    assert 'data-views="1500"' in html
    assert "1,500 views" in html


def test_site_hits_tag_renders_the_counter() -> None:
    """``{% site_hits %}`` shows the hit tracker's all-time figure."""
    SiteCounter.objects.create(views=42)
    assert re.search(r"Hit tracker: <span[^>]*>42</span>", render("{% site_hits %}"))


def test_most_popular_tag_switches_window_by_query() -> None:
    """``{% most_popular %}`` lists real counts and ``?popular=7d`` picks the week."""
    now = timezone.now()
    today_story, week_story = make_article("Today story"), make_article("Week story")
    add_views(today_story, 1, 5, now=now)
    add_views(week_story, 72, 50, now=now)
    day = render("{% most_popular %}", request=RequestFactory().get("/"))
    assert "Today story" in day and "Week story" not in day
    assert 'data-window="24h"' in day and 'href="?popular=7d#most-popular"' in day
    week = render("{% most_popular %}", request=RequestFactory().get("/?popular=7d"))
    assert week.index("Week story") < week.index("Today story")
    assert ">50 readers<" in week
    assert 'href="?popular=7d#most-popular" aria-current="true"' in week


@pytest.mark.parametrize("fmt", ["svg", "json"])
def test_head_on_counters_answers_like_get_without_a_body(client: Client, fmt: str) -> None:
    """HEAD gets GET's status and headers, no body, and counts nothing."""
    from newsdesk.hits.recorder import get_buffer

    article = make_article("Counted")
    add_views(article, 1, 5, now=timezone.now())
    for url in (f"/hits/counter/article/{article.pk}.{fmt}", f"/hits/counter/site.{fmt}"):
        got = client.get(url)
        for _ in range(2):  # the second HEAD is answered from the cached GET
            head = client.head(url)
            assert head.status_code == 200
            assert head.content == b""
            assert head["Content-Type"] == got["Content-Type"]
            assert head["Content-Length"] == str(len(got.content))
            assert head["Access-Control-Allow-Origin"] == "*"
    assert client.head("/hits/counter/article/999999.svg").status_code == 404
    assert client.post(f"/hits/counter/site.{fmt}").status_code == 405
    assert get_buffer().pending() == 0


def test_head_body_is_dropped_by_the_view_itself() -> None:
    """The view empties the body (the test client would strip it anyway; servers may not)."""
    from newsdesk.hits.views import site_counter

    SiteCounter.objects.create(views=3)
    response = site_counter(RequestFactory().head("/hits/counter/site.json"), fmt="json")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response["Content-Length"]) == len(b'{"views": 3, "label": "hits"}')
