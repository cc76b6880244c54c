"""Typed values passed between the Understand stage's parts.

stage (ORM) -> ArticleItem -> dedup (reprints) + clusters (stories) -> Placement -> stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property

# A published time of exactly midnight UTC is how a date without a time is stored.
_MIDNIGHT = time(0, 0)
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class ArticleItem:
    """What the Understand stage needs to know of one stored article."""

    id: int
    source_id: int
    title: str
    text: str
    language: str
    published_at: datetime
    first_seen_at: datetime
    canonical_url: str = ""
    body_hash: str = ""
    summary: str = ""

    @cached_property
    def reported_at(self) -> datetime:
        """When the outlet reported it: its own time, or first-seen for a missing or bare date.

        A missing date was already replaced by first-seen at ingest; a date with no
        time of day (stored as midnight UTC) cannot order two reports of one day.
        """
        return reported_at(self.published_at, self.first_seen_at)


def reported_at(published_at: datetime, first_seen_at: datetime) -> datetime:
    """Return the time that orders reports: published, unless it is a bare date.

    For a bare date, first-seen is the best guess when it falls on that day; an
    article first seen later (a feed read long after) counts as published at the
    end of its day, so a report of that day with a real time is credited first.
    """
    offset = published_at.utcoffset()
    if offset or published_at.time() != _MIDNIGHT:
        return published_at
    day_end = published_at + _DAY - _TICK
    return first_seen_at if published_at <= first_seen_at <= day_end else day_end


@dataclass
class Placement:
    """Where the stage puts one article: its story and, for a copy, its original."""

    article_id: int
    story_key: int
    reprint_of: int | None = None
    new_story: bool = False


@dataclass
class BatchResult:
    """What one run of the stage did."""

    placed: int = 0
    reprints: int = 0
    new_stories: int = 0
    joined: int = 0
    released: int = 0
    touched_stories: set[int] = field(default_factory=set)


def chunked(values: Iterable[int], size: int) -> Iterable[list[int]]:
    """Yield lists of at most ``size`` values (for IN clauses of bounded length)."""
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
