"""Home, listing, category, editor, search and disclaimer pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsdesk.stories.models import ArticleStatus
from tests.site.factories import (
    make_article,
    make_category,
    make_editor,
    make_image,
    make_source,
)

pytestmark = pytest.mark.django_db

# Sidebar and header widgets of other apps (Most Popular, counters, comments) may query too.
OTHER_APPS_QUERY_ALLOWANCE = 6


def test_header_shows_today_in_site_zone_and_categories_in_order(client: Client, settings) -> None:
    """The header carries today's date in the site's zone and the categories by order."""
    settings.TIME_ZONE = "America/New_York"
    make_category(name="World", order=2)
    make_category(name="Business", order=1)
    html = client.get("/").content.decode()
    from django.utils import timezone

    today = timezone.localtime()
    assert f"{today:%A}, {today:%B} {today.day}, {today.year}" in html
    nav = html[html.index('class="site-nav"') :]
    assert nav.index(">Home<") < nav.index(">Latest News<") < nav.index(">Business<")
    assert nav.index(">Business<") < nav.index(">World<")
    assert 'action="/search/"' in html


def test_footer_links_feeds_disclaimer_and_sitemap(client: Client) -> None:
    """The footer links to both feeds, the disclaimer and the sitemap."""
    html = client.get("/").content.decode()
    footer = html[html.index('class="site-footer"') :]
    for href in ("/feeds/latest.rss", "/feeds/latest.atom", "/disclaimer/", "/sitemap.xml"):
        assert f'href="{href}"' in footer


def test_home_lead_is_featured_article(client: Client) -> None:
    """A featured article leads the home page even when newer ones exist."""
    make_article(title="Newest story")
    make_article(title="Featured story", featured=True)
    response = client.get("/")
    assert response.context["page"].lead.title == "Featured story"
    assert "Newest story" in [a.title for a in response.context["page"].secondary]


def test_home_lead_falls_back_to_newest_with_image(client: Client) -> None:
    """Without a featured article the newest article with a stored picture leads."""
    make_article(title="Newest, no image", image_url="https://img.example.org/failed.jpg")
    make_article(title="Older with image", image=make_image())
    page = client.get("/").context["page"]
    assert page.lead.title == "Older with image"
    assert [a.title for a in page.secondary] == ["Newest, no image"]


def test_home_lead_falls_back_to_newest(client: Client) -> None:
    """Without featured articles or images the newest article leads."""
    make_article(title="Newest")
    make_article(title="Older")
    assert client.get("/").context["page"].lead.title == "Newest"


def test_home_latest_and_category_blocks(client: Client) -> None:
    """Home lists nine latest stories, then the newest of each category not shown above."""
    world = make_source(category=make_category(name="World"))
    tech = make_source(category=make_category(name="Technology"))
    for number in range(12):
        make_article(source=world, title=f"World story {number}")
    for number in range(12):
        make_article(source=tech, title=f"Tech story {number}")
    response = client.get("/")
    page = response.context["page"]
    assert len(page.latest) == 9
    above = {page.lead.title, *(a.title for a in page.secondary), *(a.title for a in page.latest)}
    blocks = {block.category.name: [a.title for a in block.articles] for block in page.blocks}
    assert len(blocks["World"]) == 4 and len(blocks["Technology"]) == 4
    assert not above & {title for titles in blocks.values() for title in titles}
    html = response.content.decode()
    assert 'id="category-world"' in html and blocks["World"][3] in html


def test_home_shows_thumbnail_source_and_summary(client: Client) -> None:
    """Latest items show their image, source name, time and summary."""
    source = make_source(name="Daily Planet")
    make_article(source=source, title="Lead", featured=True)
    image = make_image(width=800, height=600, widths=[320, 640, 800])
    make_article(
        source=source,
        image_url="https://img.example.org/thumb.jpg",
        image=image,
        summary="A crisp teaser.",
    )
    make_article(source=source, title="No picture", image_url="https://img.example.org/gone.jpg")
    html = client.get("/").content.decode()
    short = image.digest[:32]
    # The pictured article is a secondary story under the lead: a card with its image.
    thumb = html.split('class="card-image"')[1].split("</a>")[0]
    assert f'src="/media/images/{short[:2]}/{short}-640.webp"' in thumb
    assert f"/media/images/{short[:2]}/{short}-320.webp 320w" in thumb
    assert 'sizes="(min-width: 1000px) 12rem, (min-width: 800px) 22vw, 46vw"' in thumb
    assert 'width="800" height="600"' in thumb
    cards = [card for card in html.split("<article ")[1:] if "No picture" in card]
    assert cards and all("<img" not in card and "has-image" not in card for card in cards)
    assert "img.example.org" not in html
    assert "Daily Planet" in html
    assert "A crisp teaser." in client.get("/latest/").content.decode()
    assert "<time datetime=" in html


def count_queries(client: Client, url: str) -> int:
    """Return the queries one uncached request to ``url`` runs."""
    cache.clear()  # Sidebar widgets of other apps cache their queries.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_category_with_articles(count: int) -> None:
    source = make_source(editor=make_editor())
    for _ in range(count):
        make_article(source=source, image_url="https://img.example.org/x.jpg")


def test_home_queries_do_not_grow_with_content(client: Client) -> None:
    """Home costs the same few queries for one category of 2 articles as for 6 of 8 each."""
    add_category_with_articles(2)
    small = count_queries(client, "/")
    for _ in range(5):
        add_category_with_articles(8)
    assert count_queries(client, "/") == small
    # Own queries: featured lead, recent articles, category blocks, navigation.
    assert small <= 4 + OTHER_APPS_QUERY_ALLOWANCE


def test_latest_paginates_twenty_per_page(client: Client) -> None:
    """Latest News shows 20 articles a page with links to the other pages."""
    source = make_source()
    for number in range(45):
        make_article(source=source, title=f"Story {number:02d}")
    first = client.get("/latest/")
    assert len(first.context["page_obj"].object_list) == 20
    assert "Story 00" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert 'href="?page=3"' in first.content.decode()
    third = client.get("/latest/?page=3")
    assert [a.title for a in third.context["page_obj"].object_list] == [
        f"Story {n}" for n in range(40, 45)
    ]
    assert 'rel="prev" href="?page=2"' in third.content.decode()


@pytest.mark.parametrize("page", ["9", "abc", "0"])
def test_latest_bad_page_is_404(client: Client, page: str) -> None:
    """A page number out of range or not a number is not found."""
    make_article()
    assert client.get(f"/latest/?page={page}").status_code == 404


def test_category_page_lists_only_its_articles(client: Client) -> None:
    """A category page lists that category's articles, newest first, paginated."""
    sport = make_category(name="Sport")
    mine = make_source(category=sport)
    make_article(source=mine, title="Cup final tonight")
    make_article(title="Elsewhere entirely")
    response = client.get("/category/sport/")
    html = response.content.decode()
    assert "<h1>Sport</h1>" in html
    assert "Cup final tonight" in html
    assert "Elsewhere entirely" not in html
    assert 'href="/feeds/category/sport.rss"' in html
    assert 'aria-current="page">Sport<' in html
    assert client.get("/category/nope/").status_code == 404


def test_editor_page_with_monogram_bio_and_articles(client: Client) -> None:
    """An editor page shows the monogram when no photo, the bio and their sources' articles."""
    editor = make_editor(display_name="Jane Q Public", bio="Jane covers politics.")
    make_article(source=make_source(editor=editor), title="Her article")
    make_article(title="Someone else's article")
    html = client.get("/editor/jane-q-public/").content.decode()
    assert '<span class="avatar avatar-lg monogram" aria-hidden="true">JQ</span>' in html
    assert "<h1>Jane Q Public</h1>" in html
    assert "Jane covers politics." in html
    assert "Her article" in html
    assert "Someone else&#x27;s article" not in html


def test_editor_page_with_photo(client: Client) -> None:
    """An editor with a photo on this site shows it instead of the monogram."""
    make_editor(display_name="Sam Photo", photo="http://127.0.0.1:8000/media/editors/sam.jpg")
    make_editor(display_name="Kim Path", photo="/media/editors/kim.jpg")
    html = client.get("/editor/sam-photo/").content.decode()
    assert 'src="http://127.0.0.1:8000/media/editors/sam.jpg"' in html
    assert "monogram" not in html
    assert 'src="/media/editors/kim.jpg"' in client.get("/editor/kim-path/").content.decode()


@pytest.mark.parametrize(
    "photo",
    ["https://img.example.org/sam.jpg", "//img.example.org/sam.jpg", "/\\img.example.org/x.jpg"],
)
def test_editor_photo_on_another_site_is_not_shown(client: Client, photo: str) -> None:
    """A photo on another host would make readers' browsers ask it: the monogram stands in."""
    make_editor(display_name="Remote Photo", photo=photo)
    html = client.get("/editor/remote-photo/").content.decode()
    assert "img.example.org" not in html
    assert "monogram" in html


def test_search_matches_title_summary_and_body(client: Client) -> None:
    """Search finds published articles by title, summary or text, every word required."""
    make_article(title="Volcano erupts in Iceland")
    make_article(title="Quiet day", summary="Nothing about volcanoes in Iceland here")
    make_article(title="Other", body_text="Experts watch the volcano near Reykjavik, Iceland.")
    make_article(title="Only Iceland")
    make_article(title="Hidden volcano Iceland", status=ArticleStatus.HIDDEN)
    response = client.get("/search/", {"q": "volcano iceland"})
    titles = {a.title for a in response.context["page_obj"].object_list}
    assert titles == {"Volcano erupts in Iceland", "Quiet day", "Other"}
    assert "3 results for" in response.content.decode()


def test_search_echoes_query_escaped(client: Client) -> None:
    """The query is shown back escaped, in the page and in the search box."""
    html = client.get("/search/", {"q": '<script>alert("q")</script>'}).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;" in html
    assert "No articles match your search" in html


def test_search_keeps_query_in_page_links(client: Client) -> None:
    """Pagination of search results keeps the query."""
    source = make_source()
    for number in range(25):
        make_article(source=source, title=f"Election update {number}")
    html = client.get("/search/", {"q": "election"}).content.decode()
    assert 'href="?q=election&amp;page=2"' in html


def test_blank_search_shows_a_prompt(client: Client) -> None:
    """An empty query lists nothing and explains what to type."""
    make_article()
    response = client.get("/search/", {"q": "   "})
    assert response.context["page_obj"] is None
    assert "Type words from a title" in response.content.decode()


def test_hidden_and_inactive_articles_never_listed(client: Client) -> None:
    """Hidden articles and articles of inactive sources stay out of every list."""
    make_article(title="Visible story")
    make_article(title="Hidden story", status=ArticleStatus.HIDDEN, featured=True)
    make_article(title="Inactive story", source=make_source(active=False))
    for url in ("/", "/latest/", "/search/?q=story"):
        html = client.get(url).content.decode()
        assert "Visible story" in html
        assert "Hidden story" not in html
        assert "Inactive story" not in html


def test_sidebar_lists_categories_with_counts(client: Client) -> None:
    """The sidebar's Categories widget counts published articles per category."""
    source = make_source(category=make_category(name="Science"))
    make_article(source=source)
    make_article(source=source)
    make_article(source=source, status=ArticleStatus.HIDDEN)
    html = client.get("/").content.decode()
    assert '<a href="/category/science/">Science</a> <span class="count">2</span>' in html


def test_disclaimer_explains_provenance(client: Client, settings) -> None:
    """The disclaimer page repeats the disclaimer and lists the active sources."""
    settings.NEWSDESK_DISCLAIMER = "Gathered from feeds; rights stay with publishers."
    make_source(name="Morning Herald", site_url="https://herald.example.org/")
    make_source(name="Retired Gazette", active=False)
    html = client.get("/disclaimer/").content.decode()
    assert "Gathered from feeds; rights stay with publishers." in html
    assert (
        '<a href="https://herald.example.org/" rel="noopener nofollow">Morning Herald</a>' in html
    )
    assert "Retired Gazette" not in html


def test_list_times_use_site_zone(client: Client, settings) -> None:
    """List items show times in the site's zone."""
    settings.TIME_ZONE = "Europe/Berlin"
    make_article(published_at=datetime(2024, 1, 5, 23, 30, tzinfo=UTC))
    assert "Jan 6, 2024, 00:30" in client.get("/latest/").content.decode()


@pytest.mark.postgres
def test_postgres_search_finds_word_forms(client: Client) -> None:
    """On PostgreSQL, full-text search finds other forms of a word and ranks titles first."""
    if connection.vendor != "postgresql":
        pytest.skip("full-text search runs on PostgreSQL only")
    make_article(title="Quiet day", body_text="Officials said the volcano was calm.")
    make_article(title="Volcanoes erupting across the region")
    response = client.get("/search/", {"q": "volcano erupts"})
    titles = [a.title for a in response.context["page_obj"].object_list]
    assert titles[0] == "Volcanoes erupting across the region"
