"""The front-page migration's backfill: day-only dates, readable titles, clean summaries."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps

from newsdesk.stories.models import Article, Story
from tests.site.factories import make_article

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("newsdesk.stories.migrations.0004_front_date_precision")


def test_midnight_utc_dates_become_day_only_unless_they_are_first_seen() -> None:
    """Exactly midnight UTC was how a bare day was stored; first-seen fallbacks are moments."""
    midnight = datetime(2024, 3, 5, tzinfo=UTC)
    bare = make_article(published_at=midnight, first_seen_at=datetime(2024, 3, 6, 8, tzinfo=UTC))
    seen = make_article(published_at=midnight, first_seen_at=midnight)
    timed = make_article(published_at=midnight.replace(hour=9))
    backfill.mark_day_only(apps, None)
    flags = dict(Article.objects.values_list("pk", "published_day_only"))
    assert flags == {bare.pk: True, seen.pk: False, timed.pk: False}


def test_titles_headlines_and_summaries_are_tidied() -> None:
    """Shouted titles and story headlines read in title case; summaries lose feed footers."""
    story = Story.objects.create(headline="BIG STORM HITS THE COAST")
    edited = Story.objects.create(headline="EDITOR WROTE THIS ONE", headline_edited=True)
    article = make_article(
        title="BIG STORM HITS THE COAST",
        summary="Winds rose. The post Big storm appeared first on Coast News.",
        story=story,
    )
    backfill.tidy_text(apps, None)
    article.refresh_from_db()
    story.refresh_from_db()
    edited.refresh_from_db()
    assert article.title == "Big Storm Hits the Coast"
    assert article.summary == "Winds rose."
    assert story.headline == "Big Storm Hits the Coast"
    assert edited.headline == "EDITOR WROTE THIS ONE"
