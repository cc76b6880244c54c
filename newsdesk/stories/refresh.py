"""Keep each story's summary (counts, first report, headline) in step with its articles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from newsdesk.core.pages import bump_generation
from newsdesk.core.writes import update_rows
from newsdesk.stories.models import Article, Story
from newsdesk.stories.types import chunked, reported_at

SUMMARY_FIELDS = [
    "headline",
    "first_article",
    "first_reported_at",
    "latest_reported_at",
    "last_seen_at",
    "article_count",
    "source_count",
]


class Member(NamedTuple):
    """What a story's summary needs of one of its articles."""

    pk: int
    source_id: int
    title: str
    reported: datetime
    seen: datetime


def refresh_stories(story_ids: Collection[int]) -> int:
    """Recount the given stories from their published articles; delete the ones left empty.

    Return how many stories were deleted.
    """
    deleted = 0
    for chunk in chunked(sorted(story_ids), 500):
        deleted += _refresh_chunk(chunk)
    if story_ids:
        # Bulk writes send no model signal: retire the cached pages that show these stories.
        bump_generation()
    return deleted


def _refresh_chunk(story_ids: list[int]) -> int:
    rows = (
        Article.objects.published_by_key()
        .filter(story_id__in=story_ids)
        .order_by()  # Members are sorted below; the listing order would be a sort for nothing.
        .values_list("story_id", "pk", "source_id", "title", "published_at", "first_seen_at")
    )
    members: dict[int, list[Member]] = defaultdict(list)
    for story_id, pk, source_id, title, published, seen in rows:
        members[story_id].append(Member(pk, source_id, title, reported_at(published, seen), seen))
    stories = Story.objects.filter(pk__in=story_ids).values_list(
        "pk", "headline", "headline_edited"
    )
    changed = []
    empty = []
    for pk, headline, edited in stories:
        found = members.get(pk)
        if not found:
            empty.append(pk)
            continue
        found.sort(key=lambda member: (member.reported, member.pk))
        first = found[0]
        changed.append(
            (
                headline if edited else first.title[:1000],
                first.pk,
                first.reported,
                max(member.reported for member in found),
                max(member.seen for member in found),
                len(found),
                len({member.source_id for member in found}),
                pk,
            )
        )
    update_rows(Story, SUMMARY_FIELDS, changed)
    if empty:
        # Hidden articles keep no story alive; unplaced articles keep no empty story.
        Article.objects.filter(story_id__in=empty).update(story=None)
        Story.objects.filter(pk__in=empty).delete()
    return len(empty)
