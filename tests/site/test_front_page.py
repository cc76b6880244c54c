"""The front page: lead, secondary stories, Latest News capped per source, no repeats."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from newsdesk.core.dates import show_time
from newsdesk.site import queries
from newsdesk.site.queries import source_cap, spread_by_source
from tests.site.factories import (
    make_article,
    make_category,
    make_editor,
    make_image,
    make_source,
)

pytestmark = pytest.mark.django_db


def by_letter(item: str) -> str:
    return item[0]


@pytest.mark.parametrize(
    ("items", "size", "expected"),
    [
        # A busy source "a" waits for the next list; order is kept inside each list.
        (["a1", "a2", "a3", "a4", "b1", "c1"], 3, ["a1", "b1", "c1", "a2", "a3", "a4"]),
        # When the others run out, the waiting items fill the list.
        (
            ["a1", "a2", "a3", "a4", "a5", "a6", "b1", "c1", "d1"],
            6,
            ["a1", "a2", "a3", "b1", "c1", "d1", "a4", "a5", "a6"],
        ),
        # A list taken as it comes (all under the cap), then a burst that waits.
        (
            ["a1", "b1", "c1", "a2", "a3", "a4", "b2", "c2"],
            3,
            ["a1", "b1", "c1", "a2", "b2", "c2", "a3", "a4"],
        ),
        # One source alone still fills every list.
        (["a1", "a2", "a3", "a4"], 2, ["a1", "a2", "a3", "a4"]),
        ([], 5, []),
    ],
)
def test_spread_by_source_caps_each_list(items: list[str], size: int, expected: list[str]) -> None:
    """No source passes a third of a list while others are left; every item comes once."""
    assert list(spread_by_source(items, size, by_letter)) == expected


def test_spread_by_source_is_a_reordering_with_the_cap_held() -> None:
    """Over many lists, each holds at most a third from one source when others exist."""
    items = [f"a{n}" for n in range(60)] + [f"{s}{n}" for s in "bcd" for n in range(10)]
    spread = list(spread_by_source(items, 9, by_letter))
    assert sorted(spread) == sorted(items)
    for start in range(0, 27, 9):
        assert max(Counter(by_letter(x) for x in spread[start : start + 9]).values()) <= 3
    assert source_cap(9) == 3 and source_cap(2) == 1


def test_home_latest_no_feed_takes_more_than_a_third(client: Client) -> None:
    """One feed posting hourly cannot fill Latest News (the seed's podcast case)."""
    podcast = make_source(name="Hourly Podcast")
    for _ in range(30):
        make_article(source=podcast)
    others = [make_source(name=f"Outlet {n}") for n in range(4)]
    for n in range(12):
        make_article(
            source=others[n % 4], published_at=datetime.now(UTC) - timedelta(days=1, hours=n)
        )
    page = client.get("/").context["page"]
    counts = Counter(article.source.name for article in page.latest)
    assert len(page.latest) == 9 and counts["Hourly Podcast"] <= 3


def test_latest_page_caps_each_page_per_source(client: Client) -> None:
    """A Latest News page holds at most a third from one feed while others remain."""
    podcast = make_source(name="Hourly Podcast")
    for _ in range(40):
        make_article(source=podcast)
    others = [make_source(name=f"Newspaper {n}") for n in range(3)]
    for n in range(30):
        make_article(
            source=others[n % 3], published_at=datetime.now(UTC) - timedelta(days=2, hours=n)
        )
    seen: list[int] = []
    for number in (1, 2, 3, 4):
        items = client.get(f"/latest/?page={number}").context["page_obj"].object_list
        seen += [a.pk for a in items]
        if number == 1:
            assert sum(a.source.name == "Hourly Podcast" for a in items) == 20 // 3
    assert len(seen) == len(set(seen)) == 70
    assert client.get("/latest/?page=5").status_code == 404


def test_spread_listing_pages_match_spreading_the_whole_listing() -> None:
    """Reading a page from a bounded prefix of narrow rows places what spreading everything does.

    A busy feed pushes its articles many pages down: the prefix read must still
    be long enough for every page, and only the page's own rows are read whole.
    """
    busy = make_source(name="Busy")
    quiet = [make_source(name=f"Quiet {n}") for n in range(2)]
    for n in range(90):
        make_article(source=busy, published_at=datetime.now(UTC) - timedelta(minutes=n))
    for n in range(24):
        make_article(
            source=quiet[n % 2], published_at=datetime.now(UTC) - timedelta(hours=3, minutes=n)
        )
    everything = [
        card.article_id
        for card in spread_by_source(queries.story_cards(), 6, queries.article_source)
    ]
    listing = queries.SpreadListing(queries.story_cards(), 6)
    for start in range(0, len(everything) + 6, 6):
        assert listing.ids(start, start + 6) == everything[start : start + 6]
    with CaptureQueriesContext(connection) as captured:
        page = listing[12:18]
    assert [a.pk for a in page] == everything[12:18]
    # Three lists of 6 and the spread's margin (10 lists and 2), then the 6 shown.
    narrow, shown = (q["sql"] for q in captured.captured_queries)
    assert narrow.endswith("LIMIT 80") and "body_text" not in narrow and "LIMIT" not in shown[-12:]


def test_two_sources_alone_share_a_list_evenly() -> None:
    """When only a busy source and one other remain, the list is split between them."""
    items = [f"a{n}" for n in range(20)] + [f"b{n}" for n in range(20)]
    first = list(spread_by_source(items, 10, by_letter))[:10]
    assert Counter(by_letter(x) for x in first) == {"a": 5, "b": 5}


def test_nothing_above_repeats_below(client: Client) -> None:
    """Lead, secondary, latest and category blocks never show one article or story twice."""
    for name in ("World", "Politics"):
        category = make_category(name=name)
        for s in range(3):
            source = make_source(category=category, name=f"{name} {s}")
            for _ in range(5):
                make_article(source=source, image=make_image() if s == 0 else None)
    page = client.get("/").context["page"]
    shown = [
        page.lead,
        *page.secondary,
        *page.latest,
        *(a for b in page.blocks for a in b.articles),
    ]
    assert len({a.pk for a in shown}) == len(shown)
    assert 3 <= len(page.secondary) <= 4
    assert len({a.source_id for a in page.secondary}) == len(page.secondary)


def test_secondary_prefers_pictures_and_cards_without_one_are_text(client: Client) -> None:
    """Pictured stories fill the row first; a card without a picture has no image slot."""
    make_article(title="Lead", featured=True)
    make_article(title="Plain newest", source=make_source(name="Plain"))
    for n in range(2):
        make_article(title=f"Pictured {n}", image=make_image(), source=make_source())
    response = client.get("/")
    titles = [a.title for a in response.context["page"].secondary]
    assert set(titles) == {"Plain newest", "Pictured 0", "Pictured 1"}
    html = response.content.decode()
    plain = html.split('class="card no-image"')[1].split("</article>")[0]
    assert "Plain newest" in plain and "<img" not in plain and "card-image" not in plain


def test_lists_show_relative_times_with_the_full_date_as_title(client: Client, settings) -> None:
    """Within a day a list says "3 h ago"; the <time> carries the full date and zone."""
    settings.TIME_ZONE = "Europe/Berlin"
    make_article(title="Lead", featured=True)
    make_article(title="Three hours old", published_at=datetime.now(UTC) - timedelta(hours=3))
    html = client.get("/latest/").content.decode()
    item = html.split("Three hours old")[1].split("</article>")[0]
    assert "3 h ago</time>" in item and "data-relative" in item
    assert "CET" in item or "CEST" in item


def test_day_only_dates_never_show_a_time(client: Client) -> None:
    """An article dated by day shows the date alone, on lists and on its page."""
    day = datetime(2024, 3, 5, tzinfo=UTC)
    article = make_article(
        title="Dated by day", published_at=day, first_seen_at=day + timedelta(hours=30),
        published_day_only=True,
    )  # fmt: skip
    listing = client.get("/latest/").content.decode()
    assert '<time datetime="2024-03-05" title="March 5, 2024">Mar 5, 2024</time>' in listing
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="date-long">March 5, 2024</span>' in page
    assert '<span class="date-short">Mar 5, 2024</span></time>' in page
    published = page.split('<time class="published"')[1].split("</time>")[0]
    assert 'datetime="2024-03-05"' in published
    assert "Time:" not in published and "00:00" not in published.split(">", 1)[1]


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=12), "12 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(hours=25), "Nov 30, 2026, 22:00 UTC"),
    ],
)
def test_show_time_is_relative_for_a_day_then_a_date(age: timedelta, text: str, settings) -> None:
    """Relative within the last day, then the short date with the zone; never seconds."""
    settings.TIME_ZONE = "UTC"
    now = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
    assert show_time(now - age, now=now).text == text


def test_every_reader_page_has_a_title_and_a_description(client: Client) -> None:
    """Home, Latest News, category, editor, search, disclaimer and article pages have both."""
    category = make_category(name="World")
    article = make_article(source=make_source(category=category), summary="")
    editor = make_editor()
    paths = ["/", "/latest/", "/category/world/", "/search/?q=x", "/disclaimer/"]
    paths += [article.get_absolute_url(), editor.get_absolute_url()]
    for path in paths:
        html = client.get(path).content.decode()
        assert "<title>" in html and '<meta name="description" content="' in html, path
