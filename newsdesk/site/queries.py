"""What each public page shows, as bounded queries (views stay thin)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from newsdesk.hits.popular import hot_lead
from newsdesk.sources.models import Category
from newsdesk.stories.models import Article

LATEST_ON_HOME = 10
PER_CATEGORY_ON_HOME = 4
RELATED_COUNT = 5
# The lead falls back to the newest article with an image among this many recent ones.
LEAD_CANDIDATES = 30


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


def choose_lead(featured: Article | None, recent: list[Article]) -> Article | None:
    """Pick the lead: the featured article, else the newest with an image, else the newest."""
    if featured is not None:
        return featured
    with_image = next((article for article in recent if article.image_id), None)
    return with_image or (recent[0] if recent else None)


def latest_per_category(categories: list[Category], count: int) -> list[CategoryBlock]:
    """Return the newest ``count`` articles of each category in one query."""
    rank = Window(
        RowNumber(),
        partition_by=[F("source__category")],
        order_by=[F("published_at").desc(), F("id").desc()],
    )
    rows = (
        listing()
        .filter(source__category__isnull=False)
        .annotate(rank=rank)
        .filter(rank__lte=count)
        .order_by("source__category", "rank")
    )
    blocks = {category.pk: CategoryBlock(category) for category in categories}
    for article in rows:
        category_id = article.source.category_id
        block = blocks.get(category_id) if category_id is not None else None
        if block is not None:
            block.articles.append(article)
    return [block for block in blocks.values() if block.articles]


def home_page(categories: list[Category]) -> HomePage:
    """Gather the lead, the latest stories and one block per category."""
    featured = listing().filter(featured=True).first()
    recent = list(listing()[: LEAD_CANDIDATES + 1])
    # Without a featured article, the hottest one (views with age decay) leads.
    lead = choose_lead(featured or hot_lead(), recent)
    latest = [article for article in recent if lead is None or article.pk != lead.pk]
    return HomePage(
        lead=lead,
        latest=latest[:LATEST_ON_HOME],
        blocks=latest_per_category(categories, PER_CATEGORY_ON_HOME),
    )


def related_articles(article: Article) -> list[Article]:
    """Return the newest other articles of the same category (or source when uncategorized)."""
    queryset = listing().exclude(pk=article.pk)
    if article.source.category_id is not None:
        queryset = queryset.filter(source__category_id=article.source.category_id)
    else:
        queryset = queryset.filter(source_id=article.source_id)
    return list(queryset[:RELATED_COUNT])
