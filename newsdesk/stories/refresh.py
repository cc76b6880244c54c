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


class KnownMembers:
    """The members of stories refreshed earlier in one run of the stage.

    A run places up to 40 batches, and a busy story is touched by many of them:
    its members are read once, then each batch's new placements are added here
    (``place``) instead of reading them all again. Kept for one run only, so an
    article deleted or hidden meanwhile is counted out by the next run's read.
    """

    def __init__(self) -> None:
        self.members: dict[int, list[Member]] = {}

    def place(self, story_id: int, member: Member) -> None:
        """Record a new member of a story (stories not read yet get it from the database)."""
        known = self.members.get(story_id)
        if known is not None:
            known.append(member)


def refresh_stories(story_ids: Collection[int], known: KnownMembers | None = None) -> int:
    """Recount the given stories from their published articles; delete the ones left empty.

    With ``known``, the members of stories it holds are taken from it (see
    ``KnownMembers``), and the ones read are kept in it. Return how many stories
    were deleted.
    """
    deleted = 0
    for chunk in chunked(sorted(story_ids), 500):
        deleted += _refresh_chunk(chunk, known)
    if story_ids:
        # Bulk writes send no model signal: retire the cached pages that show these stories.
        bump_generation()
    return deleted


def _read_members(story_ids: list[int]) -> dict[int, list[Member]]:
    if not story_ids:
        return {}
    rows = (
        Article.objects.published_by_key()
        .filter(story_id__in=story_ids)
        .order_by()  # Members are sorted below; the listing order would be a sort for nothing.
        .values_list("story_id", "pk", "source_id", "title", "published_at", "first_seen_at")
    )
    members: dict[int, list[Member]] = defaultdict(list)
    for story_id, pk, source_id, title, published, seen in rows:
        members[story_id].append(Member(pk, source_id, title, reported_at(published, seen), seen))
    return members


def _refresh_chunk(story_ids: list[int], known: KnownMembers | None) -> int:
    cached = known.members if known is not None else {}
    members = _read_members([pk for pk in story_ids if pk not in cached])
    if known is not None:
        known.members.update(members)
        members = known.members
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
