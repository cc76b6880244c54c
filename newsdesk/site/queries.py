"""What each public page shows, as bounded queries (views stay thin)."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol, TypeVar, overload

from django.db import connection
from django.db.models import F, QuerySet, Value
from django.utils import timezone

from newsdesk.comments.templatetags.comments_tags import comment_count_expression
from newsdesk.hits.popular import readers_by_story
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article, CardKind, ListingCard, Story
from newsdesk.stories.queries import attach_cards, current_stories, lead_articles

SECONDARY_ON_HOME = 4
LATEST_ON_HOME = 9
PER_CATEGORY_ON_HOME = 4
# No source takes more than this share of a list (Latest News), so one busy feed
# (a podcast posting hourly) cannot fill it.
SOURCE_SHARE = 1 / 3
# How many lists ahead a capped list may look for other sources before it gives up
# and lets the busy source fill the rest (bounds the rows read for one page).
SPREAD_LOOKAHEAD = 10
# A lead with a picture beats a bigger story without one when it scores at least this share.
LEAD_PICTURE_SHARE = 0.5
# Stories considered for the lead, biggest first.
LEAD_STORIES = 5
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
    secondary: list[Article]
    latest: list[Article]
    blocks: list[CategoryBlock]


T = TypeVar("T")


def article_source(article: Article | Recent | ListingCard) -> int:
    """The key ``spread_by_source`` caps articles by."""
    return article.source_id


def source_cap(size: int) -> int:
    """The most items of one source a list of ``size`` may hold."""
    return max(1, int(size * SOURCE_SHARE))


def spread_by_source(items: Iterable[T], size: int, key: Callable[[T], object]) -> Iterator[T]:
    """Yield ``items`` in lists of ``size`` where no source passes ``source_cap(size)``.

    Items keep their order within each list; one over the cap waits for a later
    list. Every item is yielded once (a reordering), so pages built on it neither
    skip nor repeat. When the other sources run out (or are more than
    SPREAD_LOOKAHEAD lists away), the waiting items fill the list anyway, the
    least shown source first.

    A list whose next ``size`` items are already under the cap with nothing
    waiting (nearly every list of a listing over many sources) is taken as it
    comes: deep pages spread thousands of rows before theirs.
    """
    cap = source_cap(size)
    source = _PushBack(enumerate(items))
    waiting: deque[tuple[int, T]] = deque()
    while True:
        if not waiting:
            ahead = list(islice(source, size))
            if not ahead:
                return
            if _under_cap(ahead, cap, key):
                yield from (item for _, item in ahead)
                continue
            source.push_back(ahead)
        chosen, waiting = _take_under_cap(waiting, size, cap, key)
        counts = Counter(key(item) for _, item in chosen)
        for position, item in source:
            if counts[key(item)] < cap:
                chosen.append((position, item))
                counts[key(item)] += 1
            else:
                waiting.append((position, item))
            if len(chosen) == size or len(waiting) > size * SPREAD_LOOKAHEAD:
                break
        _fill_evenly(chosen, waiting, size, key)
        if not chosen:
            return
        yield from (item for _, item in sorted(chosen, key=lambda pair: pair[0]))


class _PushBack(Iterator[T]):
    """An iterator that items read ahead can be put back into, to be read again first."""

    def __init__(self, items: Iterator[T]) -> None:
        self.items = items
        self.back: deque[T] = deque()

    def __next__(self) -> T:
        return self.back.popleft() if self.back else next(self.items)

    def push_back(self, items: list[T]) -> None:
        self.back.extendleft(reversed(items))


def _under_cap(pairs: list[tuple[int, T]], cap: int, key: Callable[[T], object]) -> bool:
    """Tell whether no source has more than ``cap`` of ``pairs``."""
    counts: dict[object, int] = {}
    for _, item in pairs:
        source = key(item)
        counts[source] = counts.get(source, 0) + 1
        if counts[source] > cap:
            return False
    return True


def _take_under_cap(
    waiting: deque[tuple[int, T]], size: int, cap: int, key: Callable[[T], object]
) -> tuple[list[tuple[int, T]], deque[tuple[int, T]]]:
    """Take waiting items, oldest first, as far as the cap allows; return them and the rest."""
    chosen: list[tuple[int, T]] = []
    rest: deque[tuple[int, T]] = deque()
    counts: Counter[object] = Counter()
    for pair in waiting:
        if len(chosen) < size and counts[key(pair[1])] < cap:
            chosen.append(pair)
            counts[key(pair[1])] += 1
        else:
            rest.append(pair)
    return chosen, rest


def _fill_evenly(
    chosen: list[tuple[int, T]],
    waiting: deque[tuple[int, T]],
    size: int,
    key: Callable[[T], object],
) -> None:
    """Fill a list past the cap from the waiting items, the least shown source first."""
    counts = Counter(key(item) for _, item in chosen)
    while len(chosen) < size and waiting:
        pick = min(waiting, key=lambda pair: (counts[key(pair[1])], pair[0]))
        waiting.remove(pick)
        chosen.append(pick)
        counts[key(pick[1])] += 1


class ListedIds:
    """A listing's cards in order, paged ids first (site/paging.py), the articles read after."""

    def __init__(self, cards: QuerySet[ListingCard]) -> None:
        self.cards = cards

    def ids(self, start: int, stop: int) -> list[int]:
        """Return the article ids at positions [start, stop) of the listing."""
        return list(self.cards.values_list("article_id", flat=True)[start:stop])

    def rows(self, ids: list[int]) -> list[Article]:
        """Read the articles with ``ids`` as cards, in that order (``read_listed``)."""
        return read_listed(ids)


class SpreadListing(ListedIds):
    """A listing in ``spread_by_source`` order that a Paginator can page through.

    The order is worked out on narrow rows (article, source) and only the shown
    page's articles are read whole. Reading up to position N reads the first
    N + ``spread_margin`` cards of the listing, one query: enough for
    ``spread_by_source`` to place exactly what it would place over the whole
    listing (a list never reads more than its size plus the waiting items
    ahead), never the whole listing.
    """

    def __init__(self, cards: QuerySet[ListingCard], page_size: int) -> None:
        super().__init__(cards)
        self.page_size = page_size

    def spread_margin(self) -> int:
        """The rows past the last list read that the spread may look at (and one more)."""
        return self.page_size * SPREAD_LOOKAHEAD + 2

    def ids(self, start: int, stop: int) -> list[int]:
        """Return the article ids at positions [start, stop) of the spread order."""
        lists = math.ceil(stop / self.page_size)
        limit = lists * self.page_size + self.spread_margin()
        rows = list(self.cards.values_list("article_id", "source_id")[:limit])
        spread = spread_by_source(rows, self.page_size, _row_source)
        return [pk for pk, _ in islice(spread, start, stop)]

    def count(self) -> int:
        return self.cards.count()

    def __iter__(self) -> Iterator[Article]:
        """Every article in spread order, a list at a time (a Paginator's contract)."""
        rows = self.cards.values_list("article_id", "source_id").iterator(chunk_size=2000)
        spread = spread_by_source(rows, self.page_size, _row_source)
        while batch := [pk for pk, _ in islice(spread, self.page_size)]:
            yield from self.rows(batch)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int, /) -> Article: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[Article]: ...
    def __getitem__(self, index: int | slice, /) -> Article | list[Article]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        return self.rows(self.ids(index.start or 0, index.stop))


def _row_source(row: tuple[int, int]) -> int:
    return row[1]


def listing() -> QuerySet[Article]:
    """Return published articles of active sources with what list items show."""
    return Article.objects.for_listing().defer("body_html", "body_text")


# What choosing among candidates reads of an article (lead, secondary, blocks).
NARROW_FIELDS = ("id", "source_id", "story_id", "reprint_of_id", "image_id", "published_at")


def narrow_listing() -> QuerySet[Article]:
    """Like ``listing`` with only what choosing needs: cheap rows for many candidates.

    The home page weighs a few hundred candidates to show a few dozen; building
    each with its source, category, editor and image costs more than the query.
    """
    return Article.objects.published().only(*NARROW_FIELDS)


def whole(articles: Sequence[Placed]) -> list[Article]:
    """Return ``articles`` read as cards (``card_rows``), one query, in the same order."""
    return read_listed([article.pk for article in articles])


# What a list item (site/cards.py) and the home page's lead and secondary cards show
# of an article, its source, the source's category and its picture.
CARD_FIELDS = (
    *NARROW_FIELDS,
    "slug",
    "title",
    "summary",
    "published_day_only",
    "image_alt",
    "source__name",
    "source__category__name",
    "source__category__slug",
    "image__digest",
    "image__width",
    "image__height",
    "image__widths",
    "image__extension",
)


def card_rows() -> QuerySet[Article]:
    """Return listed articles with only what their cards show (``CARD_FIELDS``).

    A page of cards is the biggest read of a list page with its caches cleared:
    an article, its source (two dozen columns of fetch state), category, editor and
    picture per card. Reading no more than cards show halves building them.
    """
    return (
        Article.objects.published().select_related("source__category", "image").only(*CARD_FIELDS)
    )


def read_listed(ids: list[int]) -> list[Article]:
    """Read the listed articles with ``ids`` as cards (``card_rows``), in that order, one query.

    Pages of a listing read their ids first and their rows after: reading the rows
    again through the listing's own filters (one card per story, a category's
    sources) would only repeat what choosing the ids already applied.
    """
    # Unordered: the ids give the order (the listing's would sort the rows first).
    # Each with its approved comment count: the cards show it (load_comment_counts
    # then has nothing to ask).
    rows = card_rows().order_by().annotate(comment_count=comment_count_expression())
    found = rows.in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


def story_cards(
    category: Category | None = None, editor: Editor | None = None
) -> QuerySet[ListingCard]:
    """Return the cards of Latest News, or of ``category``'s or ``editor``'s page, newest first.

    One card per story: its newest original report among the articles that
    listing holds (``stories.queries.one_per_story``), so a story spanning
    sections shows its newest report of each; an unplaced article stands for
    itself. The database keeps the cards (stories/cards.py); a page walks
    their index alone.
    """
    if category is not None:
        scope = ListingCard.objects.filter(kind=CardKind.CATEGORY, scope_id=category.pk)
    elif editor is not None:
        scope = ListingCard.objects.filter(kind=CardKind.EDITOR, scope_id=editor.pk)
    else:
        scope = ListingCard.objects.filter(kind=CardKind.LATEST, scope_id=0)
    return scope.order_by("-published_at", "-article_id")


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


def biggest_stories(now: datetime | None = None) -> list[tuple[Story, float]]:
    """Return the current stories with their scores, biggest first."""
    now = now or timezone.now()
    stories = current_stories(STORY_CANDIDATES)
    if not stories:
        return []
    readers = readers_by_story([s.pk for s in stories], now - READERS_WINDOW)
    scored = [(story, story_score(story, readers.get(story.pk, 0), now)) for story in stories]
    return sorted(scored, key=lambda pair: (pair[1], pair[0].pk), reverse=True)


def biggest_story(now: datetime | None = None) -> Story | None:
    """Return the biggest current story: most outlets and readers, most recent."""
    ranked = biggest_stories(now)
    return ranked[0][0] if ranked else None


def lead_of_stories(ranked: list[tuple[Story, float]]) -> Article | None:
    """The lead article: the biggest story's, unless one nearly as big has a picture.

    Read narrow (``NARROW_FIELDS``): the caller reads the chosen one whole.
    """
    if not ranked:
        return None
    best = ranked[0][1]
    first: Article | None = None
    leads = lead_articles([story for story, _ in ranked[:LEAD_STORIES]], NARROW_FIELDS)
    for story, score in ranked[:LEAD_STORIES]:
        article = leads.get(story.pk)
        if article is None:
            continue
        first = first or article
        if article.image_id and score >= best * LEAD_PICTURE_SHARE:
            return article
    return first


class Placed(Protocol):
    """What choosing among articles reads: an Article, or a narrow ``Candidate``."""

    @property
    def pk(self) -> Any: ...
    @property
    def story_id(self) -> int | None: ...
    @property
    def reprint_of_id(self) -> int | None: ...


P = TypeVar("P", bound=Placed)


def first_per_story(articles: list[P]) -> list[P]:
    """Keep one article of each story in an ordered list, an original rather than a copy.

    Unplaced articles all stay.
    """
    chosen: dict[int, P] = {}
    for article in articles:
        if article.story_id is None:
            continue
        held = chosen.get(article.story_id)
        if held is None or (held.reprint_of_id is not None and article.reprint_of_id is None):
            chosen[article.story_id] = article
    kept_ids = {article.pk for article in chosen.values()}
    return [a for a in articles if a.story_id is None or a.pk in kept_ids]


@dataclass(frozen=True)
class Recent:
    """An article considered for the top of the home page: what choosing reads of it.

    The home page weighs over a hundred recent articles to show thirteen; plain
    rows cost a fraction of model instances, and the chosen are read as cards.
    """

    pk: int
    source_id: int
    story_id: int | None
    reprint_of_id: int | None
    image_id: int | None

    @classmethod
    def of(cls, article: Article) -> Recent:
        return cls(
            article.pk, article.source_id, article.story_id, article.reprint_of_id, article.image_id
        )


def recent_rows(articles: QuerySet[Article]) -> list[Recent]:
    """Read ``articles`` (a sliced ``narrow_listing``) as ``Recent`` rows."""
    fields = ("pk", "source_id", "story_id", "reprint_of_id", "image_id")
    return [Recent(*row) for row in articles.values_list(*fields)]


@dataclass(frozen=True)
class Walked:
    """One of the newest listed articles as the home page reads it: ``Recent``, its category."""

    pk: int
    source_id: int
    story_id: int | None
    reprint_of_id: int | None
    image_id: int | None
    category_id: int | None

    def recent(self) -> Recent:
        return Recent(self.pk, self.source_id, self.story_id, self.reprint_of_id, self.image_id)


# The newest listed articles the home page reads in one walk of the listing index:
# its top candidates and, for a dozen categories posting alike, every block's
# candidates (24 each were found within the newest 450 of 20,000 and of 1M
# generated articles). A category short of them is read on its own.
HOME_WALK = 640


def home_walk(limit: int = HOME_WALK) -> list[Walked]:
    """Return the newest ``limit`` listed articles, narrow, with their source's category.

    One query instead of one for the top candidates and a UNION of a walk per
    category: PostgreSQL spent longer planning that UNION than running it.
    """
    fields = ("pk", "source_id", "story_id", "reprint_of_id", "image_id", "source__category_id")
    return [Walked(*row) for row in narrow_listing().values_list(*fields)[:limit]]


def choose_lead(featured: Recent | None, recent: list[Recent]) -> Recent | None:
    """Pick the lead: the featured article, else the newest with an image, else the newest."""
    if featured is not None:
        return featured
    with_image = next((article for article in recent if article.image_id), None)
    return with_image or (recent[0] if recent else None)


@dataclass(frozen=True)
class Candidate:
    """An article considered for a category block: what choosing reads of it."""

    pk: int
    story_id: int | None
    reprint_of_id: int | None
    category_id: int


def latest_per_category(
    categories: list[Category],
    count: int,
    shown: ShownSet | None = None,
    walked: Sequence[Walked] = (),
    walked_all: bool = False,
) -> list[tuple[Category, list[Candidate]]]:
    """Return the newest ``count`` articles of each category, reading what ``walked`` lacks.

    ``walked`` is the newest listed articles (``home_walk``), ``walked_all`` says it
    holds every listed article: a category with enough candidates there needs no
    query, the others are read in one (``newest_per_category``). Stories in
    ``shown`` (already higher on the page) are left out. Categories with none are
    left out. The caller reads the chosen ones whole (``whole``), with the rest of
    the page.
    """
    seen = shown or ShownSet()
    by_pk = {category.pk: category for category in categories}
    found: dict[int, list[Candidate]] = {pk: [] for pk in by_pk}
    # Several times as many, so a block still fills once a story's copies fold
    # away and what the page shows above is left out.
    wanted = count * 6
    for row in walked:
        category_id = row.category_id
        held = found.get(category_id) if category_id is not None else None
        if category_id is not None and held is not None and len(held) < wanted:
            held.append(Candidate(row.pk, row.story_id, row.reprint_of_id, category_id))
    short = [pk for pk, held in found.items() if len(held) < wanted and not walked_all]
    for pk in short:
        found[pk] = []
    for candidate in newest_per_category(short, wanted):
        found[candidate.category_id].append(candidate)
    chosen = [
        (by_pk[pk], first_per_story([c for c in candidates if not seen.holds(c)])[:count])
        for pk, candidates in found.items()
    ]
    return [(category, candidates) for category, candidates in chosen if candidates]


def newest_per_category(category_ids: list[int], count: int) -> list[Candidate]:
    """Return the newest ``count`` listed articles of each category, newest first, in one query.

    One LIMITed walk of the (published_at, id) index per category, glued with
    UNION ALL; each part is wrapped as a subquery because SQLite refuses LIMIT in
    the parts of a compound statement (and Django's ``union()`` with it). Narrow
    rows: a block shows 4 of the 24 read, so only those are read whole.
    """
    if not category_ids:
        return []
    part, part_params = _newest_of_category_sql(count)
    parts: list[str] = []
    params: list[Any] = []
    for category_id in category_ids:
        parts.append(f"SELECT %s, newest_{len(parts)}.* FROM ({part}) AS newest_{len(parts)}")  # noqa: S608
        params.extend([category_id, *(category_id if p == _CATEGORY else p for p in part_params)])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    # Newest first within each category, whatever order the parts come back in.
    rows.sort(key=lambda row: (row[4], row[1]), reverse=True)
    return [Candidate(pk, story, reprint, category) for category, pk, story, reprint, _ in rows]


# The category id a compiled part is built with, found again among its parameters:
# no id is negative, and no other parameter of the part is a number like it.
_CATEGORY = -7_340_033


def _newest_of_category_sql(count: int) -> tuple[str, tuple[Any, ...]]:
    """Compile one part of ``newest_per_category`` once; its category id is ``_CATEGORY``.

    Building and compiling a queryset per category cost more than the database
    spent on the whole UNION (a dozen categories on the home page); the parts
    differ only in that one parameter.
    """
    sources = Source.objects.filter(category_id=_CATEGORY)
    newest = of_sources(listing(), sources).values_list(
        "pk", "story_id", "reprint_of_id", "published_at"
    )[:count]
    # Django compiled the part; its values travel as parameters.
    sql, params = newest.query.sql_with_params()
    assert list(params).count(_CATEGORY) == 1, "the category id must be one parameter"
    return sql, params


class ShownSet:
    """The articles and stories already on a page, so nothing below repeats them."""

    def __init__(self, articles: Iterable[Placed | None] = ()) -> None:
        self.articles: set[int] = set()
        self.stories: set[int] = set()
        for article in articles:
            if article is not None:
                self.add(article)

    def add(self, article: Placed) -> None:
        self.articles.add(article.pk)
        if article.story_id is not None:
            self.stories.add(article.story_id)

    def holds(self, article: Placed) -> bool:
        return article.pk in self.articles or article.story_id in self.stories


def choose_secondary(recent: list[Recent], shown: ShownSet) -> list[Recent]:
    """Pick the stories under the lead: the newest with a picture, one per source.

    Text cards (the newest without a picture) fill the row when too few have one.
    """
    fresh = [article for article in recent if not shown.holds(article)]
    chosen: list[Recent] = []
    sources: set[int] = set()
    pictured = [article for article in fresh if article.image_id]
    for pool in (pictured, fresh):
        for article in pool:
            if len(chosen) >= SECONDARY_ON_HOME:
                break
            if article.source_id not in sources and article not in chosen:
                chosen.append(article)
                sources.add(article.source_id)
    return sorted(chosen, key=lambda article: recent.index(article))


def home_page(categories: list[Category]) -> HomePage:
    """Gather the lead, secondary stories, capped latest and category blocks; none repeats."""
    featured = next(iter(recent_rows(narrow_listing().filter(featured=True)[:1])), None)
    walked = home_walk()
    top = walked[: (LEAD_CANDIDATES + 1) * 4]
    recent = first_per_story([row.recent() for row in top])
    # Without a featured article, the biggest current story leads, not the hottest post.
    story_lead = lead_of_stories(biggest_stories()) if featured is None else None
    lead = choose_lead(featured or (Recent.of(story_lead) if story_lead else None), recent)
    shown = ShownSet([lead])
    secondary = choose_secondary(recent, shown)
    for article in secondary:
        shown.add(article)
    rest = [article for article in recent if not shown.holds(article)]
    latest = list(islice(spread_by_source(rest, LATEST_ON_HOME, article_source), LATEST_ON_HOME))
    for article in latest:
        shown.add(article)
    per_category = latest_per_category(
        categories, PER_CATEGORY_ON_HOME, shown, walked, walked_all=len(walked) < HOME_WALK
    )
    # The candidates were read narrow; what the page shows is read whole, in one query.
    in_blocks = [c for _, candidates in per_category for c in candidates]
    read = {a.pk: a for a in whole([a for a in (lead, *secondary, *latest, *in_blocks) if a])}
    # One hidden between choosing and reading leaves its place empty.
    page = HomePage(
        lead=read.get(lead.pk) if lead is not None else None,
        secondary=[read[a.pk] for a in secondary if a.pk in read],
        latest=[read[a.pk] for a in latest if a.pk in read],
        blocks=[
            CategoryBlock(category, [read[c.pk] for c in candidates if c.pk in read])
            for category, candidates in per_category
        ],
    )
    shown_cards = (a for b in page.blocks for a in b.articles)
    attach_cards([page.lead, *page.secondary, *page.latest, *shown_cards])
    return page


def related_articles(article: Article) -> list[Article]:
    """Return the newest other stories of the same category (or source when uncategorized).

    Read as cards (``card_rows``): the page shows them as compact list items.
    """
    queryset = card_rows().exclude(pk=article.pk)
    if article.story_id is not None:
        queryset = queryset.exclude(story_id=article.story_id)
    if article.source.category_id is not None:
        # The category's sources as a list, not a subquery: PostgreSQL looked each
        # walked article's source up in the subquery (a probe per source, 165 of them
        # for 16 articles at 1M, most of the page's database time); against a list it
        # tests each row in memory.
        siblings = Source.objects.filter(category_id=article.source.category_id)
        ids = list(siblings.values_list("pk", flat=True))
        queryset = queryset.alias(source_key=F("source_id") + Value(0)).filter(source_key__in=ids)
    else:
        queryset = queryset.filter(source_id=article.source_id)
    return first_per_story(list(queryset[: RELATED_COUNT * 3]))[:RELATED_COUNT]
