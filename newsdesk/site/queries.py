"""What each public page shows, as bounded queries (views stay thin)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet, Value
from django.utils import timezone

from newsdesk.hits.popular import readers_by_story
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article, Story
from newsdesk.stories.queries import attach_cards, current_stories, lead_article, one_per_story

LATEST_ON_HOME = 10
PER_CATEGORY_ON_HOME = 4
RELATED_COUNT = 5
# The lead falls back to the newest article with an image among this many recent ones.
LEAD_CANDIDATES = 30
# The biggest current story is chosen among this many most recently reported ones.
STORY_CANDIDATES = 50
# Recency decays a story's size like Hacker News decays points: (age + 2) ** gravity.
STORY_GRAVITY = 1.5
READERS_WINDOW = timedelta(hours=48)


@dataclass
class CategoryBlock:
    """One category's box on the home page."""

    category: Category
    articles: list[Article] = field(default_factory=list)


@dataclass
class HomePage:
    lead: Article | None
    latest: list[Article]
    blocks: list[CategoryBlock]


def listing() -> QuerySet[Article]:
    """Return published articles of active sources with what list items show."""
    return Article.objects.for_listing().defer("body_html", "body_text")


def story_listing(**source_filters: Any) -> QuerySet[Article]:
    """Like ``listing`` but one card per story: its newest report among those listed.

    ``source_filters`` (``category=``, ``editor=``) narrow the listing to those
    sources' articles before the story's card is chosen, so a story spanning
    sections shows its newest report of each.
    """
    articles = listing()
    if source_filters:
        articles = of_sources(articles, Source.objects.filter(**source_filters))
    return one_per_story(articles)


def of_sources(articles: QuerySet[Article], sources: QuerySet[Source]) -> QuerySet[Article]:
    """Keep the articles of ``sources`` (asked as a subquery), newest first.

    ``source_id + 0`` keeps SQLite from starting at the sources' articles and sorting
    all of them (a whole category, 80,000 at 1M articles) before taking a page: it
    walks the listing index newest first and stops once the page is full.
    """
    keyed = articles.alias(source_key=F("source_id") + Value(0))
    return keyed.filter(source_key__in=sources.values("pk"))


def story_score(story: Story, readers: int, now: datetime) -> float:
    """Rank a story by the outlets carrying it and its readers, decayed by its age."""
    reported = story.latest_reported_at or now
    age_hours = max((now - reported).total_seconds() / 3600, 0.0)
    return story.source_count * (1 + math.log1p(readers)) / (age_hours + 2) ** STORY_GRAVITY


def biggest_story(now: datetime | None = None) -> Story | None:
    """Return the biggest current story: most outlets and readers, most recent."""
    now = now or timezone.now()
    stories = current_stories(STORY_CANDIDATES)
    if not stories:
        return None
    readers = readers_by_story([s.pk for s in stories], now - READERS_WINDOW)
    return max(stories, key=lambda s: (story_score(s, readers.get(s.pk, 0), now), s.pk))


def first_per_story(articles: list[Article]) -> list[Article]:
    """Keep one article of each story in an ordered list, an original rather than a copy.

    Unplaced articles all stay.
    """
    chosen: dict[int, Article] = {}
    for article in articles:
        if article.story_id is None:
            continue
        held = chosen.get(article.story_id)
        if held is None or (held.reprint_of_id is not None and article.reprint_of_id is None):
            chosen[article.story_id] = article
    kept_ids = {article.pk for article in chosen.values()}
    return [a for a in articles if a.story_id is None or a.pk in kept_ids]


def choose_lead(featured: Article | None, recent: list[Article]) -> Article | None:
    """Pick the lead: the featured article, else the newest with an image, else the newest."""
    if featured is not None:
        return featured
    with_image = next((article for article in recent if article.image_id), None)
    return with_image or (recent[0] if recent else None)


def latest_per_category(categories: list[Category], count: int) -> list[CategoryBlock]:
    """Return the newest ``count`` articles of each category in two queries."""
    blocks = {category.pk: CategoryBlock(category) for category in categories}
    # Three times as many, so a block still fills once a story's copies fold away.
    ids = newest_ids_per_category(list(blocks), count * 3)
    for article in listing().filter(pk__in=ids):
        category_id = article.source.category_id
        block = blocks.get(category_id) if category_id is not None else None
        if block is not None:
            block.articles.append(article)
    for block in blocks.values():
        block.articles = first_per_story(block.articles)[:count]
    return [block for block in blocks.values() if block.articles]


def newest_ids_per_category(category_ids: list[int], count: int) -> list[int]:
    """Return the ids of the newest ``count`` listed articles of each category, in one query.

    One LIMITed walk of the (published_at, id) index per category, glued with
    UNION ALL; each part is wrapped as a subquery because SQLite refuses LIMIT in
    the parts of a compound statement (and Django's ``union()`` with it).
    """
    parts: list[str] = []
    params: list[Any] = []
    for category_id in category_ids:
        sources = Source.objects.filter(category_id=category_id)
        newest = of_sources(listing(), sources).values_list("pk")[:count]
        sql, part_params = newest.query.sql_with_params()
        # Django compiled the part; its values travel as parameters.
        parts.append(f"SELECT * FROM ({sql}) AS newest_{len(parts)}")  # noqa: S608
        params.extend(part_params)
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [row[0] for row in cursor.fetchall()]


def home_page(categories: list[Category]) -> HomePage:
    """Gather the lead, the latest stories and one block per category, one card per story."""
    featured = listing().filter(featured=True).first()
    recent = first_per_story(list(listing()[: (LEAD_CANDIDATES + 1) * 2]))
    # Without a featured article, the biggest current story leads, not the hottest post.
    story = biggest_story() if featured is None else None
    lead = choose_lead(featured or (lead_article(story) if story else None), recent)
    latest = [
        article
        for article in recent
        if lead is None or (article.pk != lead.pk and not _same_story(article, lead))
    ]
    page = HomePage(
        lead=lead,
        latest=latest[:LATEST_ON_HOME],
        blocks=latest_per_category(categories, PER_CATEGORY_ON_HOME),
    )
    attach_cards([lead, *page.latest, *(a for b in page.blocks for a in b.articles)])
    return page


def _same_story(article: Article, other: Article) -> bool:
    return article.story_id is not None and article.story_id == other.story_id


def related_articles(article: Article) -> list[Article]:
    """Return the newest other stories of the same category (or source when uncategorized)."""
    queryset = listing().exclude(pk=article.pk)
    if article.story_id is not None:
        queryset = queryset.exclude(story_id=article.story_id)
    if article.source.category_id is not None:
        siblings = Source.objects.filter(category_id=article.source.category_id)
        queryset = of_sources(queryset, siblings)
    else:
        queryset = queryset.filter(source_id=article.source_id)
    return first_per_story(list(queryset[: RELATED_COUNT * 3]))[:RELATED_COUNT]
