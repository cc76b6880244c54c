"""Most Popular and hot ranking read the hourly rollup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsdesk.hits.popular import (
    UnknownWindowError,
    hot_lead,
    hot_ranking,
    hot_score,
    most_popular,
    resolve_window,
    window_start,
)
from newsdesk.stories.models import ArticleStatus
from tests.hits.showing import NOW, add_views, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread() -> dict[str, object]:
    """Three articles whose views fall in different windows."""
    recent = make_article("Recent story")
    weekly = make_article("Weekly story")
    monthly = make_article("Monthly story")
    add_views(recent, hours_ago=1, views=10)
    add_views(weekly, hours_ago=23, views=3)
    add_views(weekly, hours_ago=3 * 24, views=30)
    add_views(monthly, hours_ago=20 * 24, views=100)
    add_views(monthly, hours_ago=40 * 24, views=1000)  # outside every window
    return {"recent": recent, "weekly": weekly, "monthly": monthly}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("24h", [("Recent story", 10), ("Weekly story", 3)]),
        ("7d", [("Weekly story", 33), ("Recent story", 10)]),
        ("30d", [("Monthly story", 100), ("Weekly story", 33), ("Recent story", 10)]),
    ],
)
def test_windows_pick_the_right_articles(
    spread: dict[str, object], window: str, expected: list[tuple[str, int]]
) -> None:
    """Each window sums only the hourly views inside it, most viewed first."""
    got = [(a.title, views) for a, views in most_popular(window, limit=5, now=NOW)]
    assert got == expected


def test_limit_cuts_the_list(spread: dict[str, object]) -> None:
    """``limit`` caps the number of articles returned."""
    assert [a.title for a, _ in most_popular("30d", limit=1, now=NOW)] == ["Monthly story"]


def test_hidden_articles_are_excluded() -> None:
    """A hidden article never shows in Most Popular, however many views it has."""
    shown = make_article("Shown")
    hidden = make_article("Hidden", status=ArticleStatus.HIDDEN)
    add_views(shown, 1, 2)
    add_views(hidden, 1, 50)
    assert [a.title for a, _ in most_popular("24h", now=NOW)] == ["Shown"]


def test_article_of_inactive_source_is_excluded() -> None:
    """Articles of a paused source are not published, so they are not popular either."""
    article = make_article("Paused source")
    add_views(article, 1, 5)
    article.source.active = False
    article.source.save()
    assert most_popular("24h", now=NOW) == []


def test_hiding_takes_effect_despite_the_cache() -> None:
    """The cached ranking still drops an article hidden after it was cached."""
    cache.clear()
    article = make_article("Soon hidden", published=NOW)
    add_views(article, 0, 5, now=timezone.now())
    assert [a.title for a, _ in most_popular("24h")] == ["Soon hidden"]
    article.status = ArticleStatus.HIDDEN
    article.save()
    assert most_popular("24h") == []
    cache.clear()


def test_unknown_window_falls_back_to_the_setting(settings: object) -> None:
    """A bad ?popular= value uses NEWSDESK_POPULAR_WINDOW."""
    settings.NEWSDESK_POPULAR_WINDOW = "7d"  # type: ignore[attr-defined]
    assert resolve_window("1y") == "7d"
    assert resolve_window(None) == "7d"
    assert resolve_window("30d") == "30d"


def test_window_start_counts_the_current_hour() -> None:
    """The 24h window is the current hour and the 23 before it."""
    assert window_start("24h", NOW) == NOW.replace(minute=0) - timedelta(hours=23)
    with pytest.raises(UnknownWindowError):
        window_start("1y", NOW)


def test_hot_score_decays_with_age() -> None:
    """Equal views score lower as the article ages (Hacker News gravity 1.8)."""
    assert hot_score(100, 0) == pytest.approx(100 / 2**1.8)
    assert hot_score(100, 1) > hot_score(100, 10) > hot_score(100, 40)


def test_hot_ranking_mixes_views_and_age() -> None:
    """A fresh article with fewer views outranks an old one with more; views still count."""
    fresh = make_article("Fresh", published=NOW - timedelta(hours=1))
    old = make_article("Old", published=NOW - timedelta(hours=40))
    fresh_quiet = make_article("Fresh but quiet", published=NOW - timedelta(hours=1))
    stale = make_article("Beyond 48h", published=NOW - timedelta(days=5))
    add_views(fresh, 0, 20)
    add_views(old, 2, 300)
    add_views(fresh_quiet, 0, 2)
    add_views(stale, 60, 10_000)  # views older than 48 hours do not count
    ranked = hot_ranking(limit=10, now=NOW)
    assert [hot.article.title for hot in ranked] == ["Fresh", "Old", "Fresh but quiet"]
    assert ranked[0].readers == 20
    assert ranked[0].score == pytest.approx(20 / (1 + 2) ** 1.8)


def test_hot_lead_is_none_without_views() -> None:
    """Before any view the home page keeps its own lead."""
    make_article("Unread")
    assert hot_lead() is None
