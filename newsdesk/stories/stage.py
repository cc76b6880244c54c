"""The Understand stage: place newly stored articles, one writer at a time.

`understand_new_articles()` is a scheduled job (every few seconds, in the
scheduler and in Celery beat). It runs after ingest has stored articles and is
the only code that places them; ingest never imports it.

Single writer: a run first takes the ``StageLease`` row (a conditional UPDATE,
atomic on SQLite and PostgreSQL); a second process finds it held and returns.
Every batch is written in one transaction that also advances the lease's
``generation``, but only if the generation is still the one this process read:
if another process (or an editor's action) wrote in between, the batch is
rolled back and the in-memory story index is rebuilt before the next run. So
two workers never race one event into two stories, and a process that held the
lease in the past never writes from a stale index.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from newsdesk.core.writes import insert_returning_ids, update_rows
from newsdesk.stories import cards
from newsdesk.stories.archive import (
    ITEM_FIELDS,
    DatabaseArchive,
    forget_bands,
    index_bands,
    item_from_row,
    load_bands,
    placed_articles,
    prune_bands,
    reprint_window,
    store_bands,
    story_window,
)
from newsdesk.stories.bands import BandIndex
from newsdesk.stories.dedup import Fingerprint
from newsdesk.stories.models import Article, StageLease, Story, unpublished_statuses
from newsdesk.stories.preparing import Ahead, Preparer
from newsdesk.stories.refresh import KnownMembers, Member, refresh_stories
from newsdesk.stories.types import ArticleItem, BatchResult, reported_at
from newsdesk.stories.understand import Known, Plan, Understander

logger = logging.getLogger(__name__)

LEASE = "understand"
LEASE_SECONDS = 120
BATCH_SIZE = 500
# One run places at most this many batches, then lets the next run go on.
MAX_BATCHES = 40


class LostLeaseError(Exception):
    """Another process or an editor wrote since this process read the stage's state."""


@dataclass
class StageState:
    """The in-memory part of the stage in this process, valid for one lease generation."""

    generation: int
    understander: Understander
    bands: BandIndex = field(default_factory=BandIndex)
    fingerprints: dict[int, Fingerprint | None] = field(default_factory=dict)
    clock: datetime | None = None


_state: StageState | None = None
_state_lock = threading.Lock()
_preparer = Preparer()


def holder_name() -> str:
    """Name this process and thread, so the lease tells who holds it."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:100]


def understand_new_articles(
    *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> BatchResult:
    """Place articles stored since the last run; return what was done (nothing if busy)."""
    holder = holder_name()
    result = BatchResult()
    generation = acquire_lease(holder)
    if generation is None:
        return result
    try:
        with _state_lock:
            _run(holder, generation, result, batch_size, max_batches)
    except LostLeaseError:
        logger.info("understand stage lost its lease; the index is rebuilt next run")
        reset_state()
    except BaseException:
        # The index places a batch before its writes commit: after a failed write it holds
        # stories and placements the database rolled back (new stories under temporary ids).
        reset_state()
        raise
    finally:
        release_lease(holder)
    return result


def _run(
    holder: str, generation: int, result: BatchResult, batch_size: int, max_batches: int
) -> None:
    global _state
    if _state is None or _state.generation != generation:
        _state = load_state(generation)
    state = _state
    _release_hidden(holder, state, result)
    known = KnownMembers()
    # The first batch is prepared here: sent to the helper it would only be waited for
    # (plus the helper's start, seconds on a slow host, for a run of one batch).
    ahead = Ahead(next_items(batch_size))
    for number in range(max_batches):
        items = ahead.items
        if not items:
            break
        # Read the next batch and send it to the helper before placing this one: the
        # helper prepares it on the other core meanwhile (see preparing.py).
        last = number + 1 == max_batches
        following = _preparer.submit([] if last else next_items(batch_size, after=items[-1].id))
        archive = DatabaseArchive(state.fingerprints, state.bands)
        plan = state.understander.place(items, archive, _preparer.collect(ahead))
        _write(holder, state, items, plan, result, known)
        archive.remember(plan.fingerprints)
        ahead = following
    if state.clock is not None:
        state.understander.evict(state.clock - story_window())
        prune_bands(state.clock - reprint_window(), state.bands)


def next_items(limit: int, after: int = 0) -> list[ArticleItem]:
    """Return the oldest published articles not placed yet, in storing order.

    ``after`` skips the ids up to it: the batch read while an earlier one is placed.
    """
    # Not "status = published": SQLite walked every published article for it and sorted
    # them, a read that grew with the archive; this way it walks the small queue index.
    rows = (
        Article.objects.filter(understood_at__isnull=True, pk__gt=after)
        .with_published_status()
        .order_by("pk")
        .values(*ITEM_FIELDS)[:limit]
    )
    return [item_from_row(row) for row in rows]


def load_state(generation: int) -> StageState:
    """Rebuild the story index and the band index from what is still inside their windows."""
    understander = Understander(story_window())
    newest = placed_articles().order_by("-first_seen_at").values_list("first_seen_at", flat=True)
    clock = newest.first()
    bands = BandIndex() if clock is None else load_bands(clock - reprint_window())
    if clock is not None:
        since = clock - story_window()
        rows = (
            placed_articles()
            .filter(story__last_seen_at__gte=since)
            .order_by("pk")
            .values(*ITEM_FIELDS, "story_id", "reprint_of_id")
        )
        understander.replay(
            Known(item_from_row(row), row["story_id"], row["reprint_of_id"])
            for row in rows.iterator(chunk_size=2000)
        )
    return StageState(generation, understander, bands, clock=clock)


def reset_state() -> None:
    """Drop this process's index; the next run rebuilds it from the database."""
    global _state
    _state = None


def _write(
    holder: str,
    state: StageState,
    items: list[ArticleItem],
    plan: Plan,
    result: BatchResult,
    known: KnownMembers,
) -> None:
    now = timezone.now()
    seen_at = {item.id: item.first_seen_at for item in items}
    placing = [placement.article_id for placement in plan.placements]
    touched: set[int] = set()
    with transaction.atomic():
        advance_generation(holder, state)
        # Stories the placed articles leave (none, unless an editor's change queued one).
        left = set(
            Article.objects.filter(pk__in=placing, story__isnull=False).values_list(
                "story_id", flat=True
            )
        )
        with cards.deferred(lambda: touched | left, placing):
            story_ids = _create_stories(state, plan)
            placed = _place_articles(items, plan, story_ids, now)
            for item in items:
                member = Member(
                    item.id, item.source_id, item.title, item.reported_at, item.first_seen_at
                )
                known.place(placed[item.id], member)
            touched |= set(placed.values())
            touched |= _regroup(plan.regroup)
        store_bands(plan.fingerprints, seen_at)
        refresh_stories(touched, known)
    index_bands(plan.fingerprints, seen_at, state.bands)
    seen = max(item.first_seen_at for item in items)
    state.clock = seen if state.clock is None else max(state.clock, seen)
    result.placed += len(items)
    result.new_stories += len(plan.new_story_keys)
    result.reprints += sum(1 for p in plan.placements if p.reprint_of is not None)
    result.joined += sum(1 for p in plan.placements if not p.new_story)
    result.touched_stories |= touched


def advance_generation(holder: str, state: StageState) -> None:
    """Fence a write: succeed only while this process holds the lease it read."""
    updated = StageLease.objects.filter(
        name=LEASE, holder=holder, generation=state.generation
    ).update(
        generation=F("generation") + 1,
        expires_at=timezone.now() + timedelta(seconds=LEASE_SECONDS),
    )
    if updated != 1:
        raise LostLeaseError(LEASE)
    state.generation += 1


def _create_stories(state: StageState, plan: Plan) -> dict[int, int]:
    now = timezone.now()
    # The summary fields are filled by refresh_stories in the same transaction.
    blank = ("", False, 0, 0, now)
    created = insert_returning_ids(
        Story,
        ["headline", "headline_edited", "article_count", "source_count", "created_at"],
        [blank] * len(plan.new_story_keys),
    )
    ids = {}
    for key, pk in zip(plan.new_story_keys, created, strict=True):
        ids[key] = pk
        state.understander.rename_story(key, pk)
    return ids


def _place_articles(
    items: list[ArticleItem], plan: Plan, story_ids: dict[int, int], now: datetime
) -> dict[int, int]:
    by_id = {item.id: item for item in items}
    rows = []
    placed = {}
    for placement in plan.placements:
        story_id = story_ids.get(placement.story_key, placement.story_key)
        print_ = plan.fingerprints.get(placement.article_id)
        body_hash = by_id[placement.article_id].body_hash or (print_.body_hash if print_ else "")
        rows.append((story_id, placement.reprint_of, now, body_hash, placement.article_id))
        placed[placement.article_id] = story_id
    update_rows(Article, ["story", "reprint_of", "understood_at", "body_hash"], rows)
    return placed


def _regroup(moves: dict[int, int]) -> set[int]:
    """Point every copy of a moved group, and its old original, at the new original."""
    touched: set[int] = set()
    for old, new in moves.items():
        group = Article.objects.filter(Q(pk=old) | Q(reprint_of_id=old)).exclude(pk=new)
        touched |= set(group.exclude(story=None).values_list("story_id", flat=True))
        group.update(reprint_of_id=new)
    return touched


def _release_hidden(holder: str, state: StageState, result: BatchResult) -> None:
    """Take articles that are no longer published out of their stories and copy groups."""
    # Listed by status (an index lookup of the few unpublished), not "not published" (a scan).
    gone = list(
        Article.objects.filter(status__in=unpublished_statuses())
        .filter(Q(understood_at__isnull=False) | Q(story__isnull=False))
        .values_list("pk", "story_id")
    )
    if not gone:
        return
    with transaction.atomic():
        advance_generation(holder, state)
        touched = release_articles([pk for pk, _ in gone])
        touched |= {story for _, story in gone if story is not None}
        refresh_stories(touched)
    result.released += len(gone)
    # Copies moved to new originals; the index must see the stories as stored.
    reset_state()


def release_articles(article_ids: list[int]) -> set[int]:
    """Unplace articles: out of their story, their copies moved to the next earliest copy.

    The articles go back to the queue (a hidden article is never placed again
    while hidden; one published again is placed anew). Return touched story ids.
    """
    touched: set[int] = set()
    for pk in article_ids:
        copies = list(
            Article.objects.filter(reprint_of_id=pk).values_list(
                "pk", "published_at", "first_seen_at", "story_id"
            )
        )
        if copies:
            copies.sort(key=lambda row: (reported_at(row[1], row[2]), row[0]))
            heir = copies[0][0]
            Article.objects.filter(pk=heir).update(reprint_of=None)
            Article.objects.filter(reprint_of_id=pk).exclude(pk=heir).update(reprint_of_id=heir)
            touched |= {row[3] for row in copies if row[3] is not None}
    Article.objects.filter(pk__in=article_ids).update(
        story=None, reprint_of=None, understood_at=None
    )
    forget_bands(article_ids)
    return touched


def acquire_lease(holder: str) -> int | None:
    """Take the stage's lease if free or expired; return its generation, or None if held."""
    _ensure_lease_row()
    now = timezone.now()
    free = Q(holder="") | Q(expires_at__lt=now) | Q(holder=holder)
    taken = (
        StageLease.objects.filter(name=LEASE)
        .filter(free)
        .update(holder=holder, expires_at=now + timedelta(seconds=LEASE_SECONDS))
    )
    if taken != 1:
        return None
    return int(StageLease.objects.values_list("generation", flat=True).get(name=LEASE))


def release_lease(holder: str) -> None:
    StageLease.objects.filter(name=LEASE, holder=holder).update(holder="", expires_at=None)


def invalidate_stage() -> None:
    """Tell the running stage that stories changed under it (editors' actions call this)."""
    _ensure_lease_row()
    StageLease.objects.filter(name=LEASE).update(generation=F("generation") + 1)


def _ensure_lease_row() -> None:
    if StageLease.objects.filter(name=LEASE).exists():
        return
    try:
        with transaction.atomic():
            StageLease.objects.create(name=LEASE)
    except IntegrityError:
        pass  # Another process created it a moment ago.
