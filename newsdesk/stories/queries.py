"""What pages show about stories and copies, as bounded queries (templates call none)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from newsdesk.stories.models import Article, Story
from newsdesk.stories.types import reported_at

# Names shown on a card before "and N more".
CARD_NAMES = 3


@dataclass(frozen=True)
class StoryCard:
    """What a list item shows of its story: the other outlets carrying it."""

    story_id: int
    other_sources: list[str]

    @property
    def more(self) -> int:
        return len(self.other_sources)

    @property
    def shown_names(self) -> list[str]:
        return self.other_sources[:CARD_NAMES]

    @property
    def hidden_count(self) -> int:
        return max(0, len(self.other_sources) - CARD_NAMES)


@dataclass(frozen=True)
class TimelineEntry:
    """One report in a story's timeline."""

    article: Article
    reported_at: datetime
    first: bool


@dataclass
class Coverage:
    """What an article page says about copies and the story around the article."""

    story: Story | None = None
    original: Article | None = None
    republished_by: list[Article] = field(default_factory=list)
    also_reported_by: list[Article] = field(default_factory=list)


def one_per_story(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Keep one article of each story: its newest original report, not a copy of one.

    An unplaced article stands for itself. ``queryset`` must carry every filter of
    the listing (category, editor...): an article stays unless another row of the
    same listing in its story ranks before it (originals first, then the copy of
    the lowest original id, then newest). Pages do not ask it: it probes the story
    of every row walked (43 ms for Latest News page 500 at 1M articles); the
    database keeps its answer for each listing as ``ListingCard`` rows
    (stories/cards.py), and the tests hold the two to each other.
    """
    ranked = queryset.annotate(reprint_key=Coalesce(F("reprint_of_id"), Value(0)))
    before = ranked.filter(story_id=OuterRef("story_id")).filter(
        Q(reprint_key__lt=OuterRef("reprint_key"))
        | Q(reprint_key=OuterRef("reprint_key"), published_at__gt=OuterRef("published_at"))
        | Q(
            reprint_key=OuterRef("reprint_key"),
            published_at=OuterRef("published_at"),
            pk__gt=OuterRef("pk"),
        )
    )
    return ranked.filter(~Exists(before))


def attach_cards(articles: Iterable[Article | None]) -> None:
    """Give each article in a list ``story_card`` (None when it is alone), in one query."""
    items = [a for a in articles if a is not None]
    ids = {a.story_id for a in items if a.story_id is not None}
    names: dict[int, dict[int, str]] = defaultdict(dict)
    if ids:
        rows = (
            Article.objects.published()
            .filter(story_id__in=ids)
            .values_list("story_id", "source_id", "source__name")
            # No ordering: the model's (published_at, id) would join the DISTINCT
            # and return every report of a story, not each source once.
            .order_by()
            .distinct()
        )
        for story_id, source_id, name in rows:
            names[story_id][source_id] = name
    for article in items:
        card = None
        if article.story_id is not None:
            others = [
                name
                for sid, name in names.get(article.story_id, {}).items()
                if sid != article.source_id
            ]
            card = StoryCard(article.story_id, sorted(others)) if others else None
        article.story_card = card  # type: ignore[attr-defined]


def story_articles(story: Story) -> list[Article]:
    """Return a story's published articles, earliest report first."""
    found = list(Article.objects.for_listing().filter(story=story).defer("body_html", "body_text"))
    return in_report_order(found)


def in_report_order(articles: list[Article]) -> list[Article]:
    """Sort articles earliest report first (the stored order of a story's timeline)."""
    return sorted(articles, key=lambda a: (reported_at(a.published_at, a.first_seen_at), a.pk))


def timeline(story: Story) -> list[TimelineEntry]:
    """Every published report of the story in order; the first one marked."""
    articles = story_articles(story)
    return [
        TimelineEntry(a, reported_at(a.published_at, a.first_seen_at), index == 0)
        for index, a in enumerate(articles)
    ]


def coverage(article: Article) -> Coverage:
    """Gather the original (for a copy), the copies (for an original) and the story's others.

    One read of the articles around it (the original, the copies, the story's
    reports, without bodies: the page names them with links and dates). The
    story comes with the article when its page read it (``select_related``).
    """
    found = Coverage()
    around = Q(reprint_of=article.pk)
    if article.reprint_of_id is not None:
        around |= Q(pk=article.reprint_of_id)
    if article.story_id is not None:
        around |= Q(story_id=article.story_id)
    listed = list(
        Article.objects.for_listing().defer("body_html", "body_text").filter(around).order_by()
    )
    found.original = next((a for a in listed if a.pk == article.reprint_of_id), None)
    copies = [a for a in listed if a.reprint_of_id == article.pk]
    found.republished_by = sorted(copies, key=lambda a: (a.published_at, a.pk))
    if article.story_id is not None:
        found.story = story_of(article)
        others = [a for a in listed if a.story_id == article.story_id] if found.story else []
        skip = {article.pk} | {a.pk for a in found.republished_by}
        if found.original is not None:
            skip.add(found.original.pk)
        found.also_reported_by = [a for a in in_report_order(others) if a.pk not in skip]
    return found


def story_of(article: Article) -> Story | None:
    """Return the article's story (read with it, or now), None when it is gone meanwhile."""
    try:
        return article.story
    except Story.DoesNotExist:
        return None


def current_stories(limit: int) -> list[Story]:
    """Return the stories with the most recent reports, with what ranking them reads.

    Narrow rows (size, recency, first report's id): the home page weighs fifty.
    """
    return list(
        Story.objects.filter(article_count__gt=0)
        .only("id", "first_article_id", "latest_reported_at", "source_count")
        .order_by("-latest_reported_at", "-pk")[:limit]
    )


def story_of_articles(article_ids: Sequence[int]) -> dict[int, int | None]:
    """Map article ids to their story ids (None for unplaced articles)."""
    return dict(Article.objects.filter(pk__in=article_ids).values_list("pk", "story_id"))


def lead_articles(stories: Sequence[Story], fields: Sequence[str] = ()) -> dict[int, Article]:
    """Map each story's id to ``lead_article(story)``, in one query when first reports are listed.

    ``fields`` narrows the rows read (``only``). A story whose first report is hidden,
    gone or moved to another story falls back to ``lead_article``, one story at a time.
    """
    firsts = (
        Article.objects.published()
        .filter(pk__in=[s.first_article_id for s in stories if s.first_article_id is not None])
        .order_by()
    )
    by_pk = {a.pk: a for a in (firsts.only(*fields) if fields else firsts)}
    found: dict[int, Article] = {}
    for story in stories:
        first = by_pk.get(story.first_article_id or 0)
        lead = first if first is not None and first.story_id == story.pk else lead_article(story)
        if lead is not None:
            found[story.pk] = lead
    return found


def lead_article(story: Story) -> Article | None:
    """The article that stands for a story: its first report, else its newest original."""
    articles = Article.objects.for_listing().filter(story=story).defer("body_html", "body_text")
    first = articles.filter(pk=story.first_article_id).first() if story.first_article_id else None
    return first or articles.filter(reprint_of__isnull=True).first() or articles.first()
