"""Place new articles: find what each one copies, then the story it belongs to.

``Understander`` is the Understand stage without a database: it takes a batch of
``ArticleItem`` values in the order they were stored and returns a ``Plan`` of
placements. What it needs of earlier articles it asks an ``Archive`` (the stage
reads the database; the evaluation keeps everything in memory), so the same code
is measured by ``newsdesk stories eval`` and runs in the site.

The original of a group of copies is its earliest report (``reported_at``); when
a copy turns out older than the article thought original, the group moves to it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from newsdesk.core.text import normalized_words
from newsdesk.stories.clusters import StoryIndex, Vector, terms
from newsdesk.stories.dedup import Fingerprint, fingerprint, similarity
from newsdesk.stories.types import ArticleItem, Placement

K = TypeVar("K", int, str)
# Band candidates compared exactly per article (see ``_likeliest``).
MAX_CANDIDATES = 8


@dataclass
class Known:
    """An article already placed: what it is, where it went, and its fingerprint once read."""

    item: ArticleItem
    story_key: int | None
    reprint_of: int | None
    print_: Fingerprint | None = None
    printed: bool = False

    def fingerprint(self) -> Fingerprint | None:
        if not self.printed:
            self.print_ = fingerprint(self.item.text)
            self.printed = True
        return self.print_


@dataclass(frozen=True)
class Prepared:
    """What an article's text alone gives the stage: its fingerprint and its term counts.

    Pure work (a third of the stage's time), so another process can do it ahead.
    """

    print_: Fingerprint | None
    counts: Counter[str]


def prepare(item: ArticleItem) -> Prepared:
    """Tokenise an article once for both its fingerprint and its term counts."""
    words = normalized_words(item.text)
    return Prepared(fingerprint(item.text, words), terms(item, words))


def prepare_all(items: Iterable[ArticleItem]) -> dict[int, Prepared]:
    """Prepare a batch (what the stage's helper process runs), by article id."""
    return {item.id: prepare(item) for item in items}


class Archive(Protocol):
    """Articles placed before this batch, as the Understand stage may look them up."""

    def band_matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        """Return, for each bucket, the ids of placed articles with that band."""
        ...

    def exact_matches(
        self, urls: Collection[str], hashes: Collection[str]
    ) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        """Return placed article ids by canonical URL and by body hash."""
        ...

    def load(self, ids: Collection[int]) -> dict[int, Known]:
        """Return the placed, published articles among ``ids``."""
        ...


@dataclass
class Plan:
    """What a batch changes: one placement per article, and groups of copies that move."""

    placements: list[Placement] = field(default_factory=list)
    regroup: dict[int, int] = field(default_factory=dict)
    fingerprints: dict[int, Fingerprint] = field(default_factory=dict)
    new_story_keys: list[int] = field(default_factory=list)


@dataclass
class _Batch:
    """Articles placed earlier in the same batch, which the archive does not know yet."""

    known: dict[int, Known] = field(default_factory=dict)
    archived: dict[int, Known] = field(default_factory=dict)
    bands: dict[int, set[int]] = field(default_factory=dict)
    # Buckets that matter to some article: stored ones matched, or shared within the batch.
    live: frozenset[int] = frozenset()
    shared: frozenset[int] = frozenset()
    urls: dict[str, set[int]] = field(default_factory=dict)
    hashes: dict[str, set[int]] = field(default_factory=dict)


class Understander:
    """Reprint detection and story clustering over batches of new articles."""

    def __init__(self, window: timedelta) -> None:
        self.index = StoryIndex(window)
        self._temporary = itertools.count(-1, -1)

    def replay(self, known: Iterable[Known]) -> None:
        """Rebuild the story index from articles already placed (after a restart)."""
        for entry in known:
            if entry.story_key is not None:
                self.index.add(entry.story_key, self.index.vectorize(entry.item), entry.item)

    def place(
        self,
        items: list[ArticleItem],
        archive: Archive,
        prepared: Mapping[int, Prepared] | None = None,
    ) -> Plan:
        """Place ``items`` (in storing order) and return the plan to write.

        ``prepared`` may hold what ``prepare`` gives for some of them, done elsewhere.
        """
        plan = Plan()
        ready = dict(prepared or {})
        ready.update(prepare_all(item for item in items if item.id not in ready))
        prints = {item.id: ready[item.id].print_ for item in items}
        plan.fingerprints = {key: value for key, value in prints.items() if value is not None}
        buckets = {b for value in plan.fingerprints.values() for b in value.buckets}
        band_hits = archive.band_matches(buckets)
        urls = {item.canonical_url for item in items if item.canonical_url}
        hashes = {value.body_hash for value in plan.fingerprints.values() if value.body_hash}
        url_hits, hash_hits = archive.exact_matches(urls, hashes)
        batch = _Batch()
        # Read every candidate of the batch at once rather than one query an article.
        found = {
            key for hits in (band_hits, url_hits, hash_hits) for ids in hits.values() for key in ids
        }
        batch.archived = archive.load(found - {item.id for item in items})
        # An index kept in memory may still name an article deleted since: never a candidate.
        band_hits = _loaded(band_hits, batch.archived.keys())
        # Most of an article's 42 buckets match nothing: find the ones that can, once a batch.
        seen = Counter(b for value in plan.fingerprints.values() for b in set(value.buckets))
        batch.shared = frozenset(bucket for bucket, count in seen.items() if count > 1)
        batch.live = batch.shared | band_hits.keys()
        for item in items:
            print_ = prints[item.id]
            exact = _lookup(url_hits, batch.urls, item.canonical_url)
            candidates: set[int] = set()
            if print_ is not None:
                exact |= _lookup(hash_hits, batch.hashes, print_.body_hash)
                candidates = _likeliest(print_, band_hits, batch)
            placement = self._place_one(
                item, ready[item.id].counts, print_, exact, candidates, archive, batch, plan
            )
            plan.placements.append(placement)
            self._remember(item, print_, placement, batch)
        return plan

    def _place_one(
        self,
        item: ArticleItem,
        counts: Counter[str],
        print_: Fingerprint | None,
        exact: set[int],
        candidates: set[int],
        archive: Archive,
        batch: _Batch,
        plan: Plan,
    ) -> Placement:
        exact.discard(item.id)
        candidates.discard(item.id)
        known = _load(exact | candidates, archive, batch)
        copies = [key for key in exact if key in known]
        copies += [
            key
            for key in candidates - exact
            if key in known and _is_copy(print_, known[key].fingerprint())
        ]
        vector = self.index.weigh(counts)
        if copies:
            return self._join_copies(item, vector, copies, known, archive, batch, plan)
        return self._cluster(item, vector, plan)

    def _join_copies(
        self,
        item: ArticleItem,
        vector: Vector,
        copies: list[int],
        known: dict[int, Known],
        archive: Archive,
        batch: _Batch,
        plan: Plan,
    ) -> Placement:
        roots = {_follow(plan.regroup, known[key].reprint_of or key) for key in copies}
        known.update(_load(roots - known.keys(), archive, batch))
        roots = {root for root in roots if root in known}
        members = [known[root].item for root in roots] + [item]
        original = min(members, key=lambda member: (member.reported_at, member.id))
        for root in roots - {original.id}:
            plan.regroup[root] = original.id
            for entry in batch.known.values():
                if root in (entry.item.id, entry.reprint_of):
                    entry.reprint_of = original.id
        story_key = next(
            (
                known[key].story_key
                for key in [original.id, *roots, *copies]
                if key in known and known[key].story_key is not None
            ),
            None,
        )
        if story_key is None:
            return self._cluster(item, vector, plan, reprint_of=original.id)
        self.index.add(story_key, vector, item)
        reprint_of = None if original.id == item.id else original.id
        return Placement(item.id, story_key, reprint_of)

    def _cluster(
        self, item: ArticleItem, vector: Vector, plan: Plan, reprint_of: int | None = None
    ) -> Placement:
        match = self.index.best(vector, item.language, item.reported_at)
        if match is not None:
            self.index.add(match.key, vector, item)
            return Placement(item.id, match.key, reprint_of)
        key = next(self._temporary)
        plan.new_story_keys.append(key)
        self.index.add(key, vector, item)
        return Placement(item.id, key, reprint_of, new_story=True)

    def _remember(
        self, item: ArticleItem, print_: Fingerprint | None, placement: Placement, batch: _Batch
    ) -> None:
        known = Known(item, placement.story_key, placement.reprint_of, print_, True)
        batch.known[item.id] = known
        if item.canonical_url:
            batch.urls.setdefault(item.canonical_url, set()).add(item.id)
        if print_ is not None:
            if print_.body_hash:
                batch.hashes.setdefault(print_.body_hash, set()).add(item.id)
            for bucket in batch.shared.intersection(print_.buckets):
                batch.bands.setdefault(bucket, set()).add(item.id)

    def rename_story(self, old: int, new: int) -> None:
        """Record the database id of a story created under a temporary key."""
        self.index.rename(old, new)

    def evict(self, seen_before: datetime) -> int:
        """Forget stories last seen before ``seen_before``."""
        return self.index.evict(seen_before)


def _lookup(stored: Mapping[K, set[int]], batch: Mapping[K, set[int]], key: K) -> set[int]:
    if not key:
        return set()
    return set(stored.get(key, ())) | batch.get(key, set())


def _likeliest(print_: Fingerprint, band_hits: dict[int, set[int]], batch: _Batch) -> set[int]:
    """Return the candidates sharing the most band buckets, at most ``MAX_CANDIDATES``.

    Shared buckets estimate similarity: a copy shares several, an article that only
    shares boilerplate (a wire service's copyright line) one by chance. Comparing
    only the likeliest keeps the cost per article bounded however large the archive.
    """
    shared: Counter[int] = Counter()
    for bucket in batch.live.intersection(print_.buckets):
        stored = band_hits.get(bucket)
        placed = batch.bands.get(bucket)
        # Most buckets match nothing: skip building a set for them.
        if stored and placed:
            shared.update(stored | placed)
        elif stored or placed:
            shared.update(stored or placed or ())
    return {key for key, _ in sorted(shared.items(), key=lambda p: (-p[1], -p[0]))[:MAX_CANDIDATES]}


def _loaded(hits: dict[int, set[int]], loaded: AbstractSet[int]) -> dict[int, set[int]]:
    """Return ``hits`` without the articles that were not loaded (and buckets left empty)."""
    if all(ids <= loaded for ids in hits.values()):
        return hits
    kept = {bucket: {key for key in ids if key in loaded} for bucket, ids in hits.items()}
    return {bucket: ids for bucket, ids in kept.items() if ids}


def _follow(moves: dict[int, int], key: int) -> int:
    """Return where a moved group's original went, following moves made in this batch."""
    while key in moves:
        key = moves[key]
    return key


def _load(ids: set[int], archive: Archive, batch: _Batch) -> dict[int, Known]:
    found = {key: batch.known[key] for key in ids if key in batch.known}
    found.update((key, batch.archived[key]) for key in ids - found.keys() if key in batch.archived)
    # Not "- batch.archived.keys()": that walks every article the batch loaded, per article.
    rest = {key for key in ids if key not in found and key not in batch.archived}
    if rest:
        found.update(archive.load(rest))
    return found


def _is_copy(mine: Fingerprint | None, theirs: Fingerprint | None) -> bool:
    if mine is None or theirs is None:
        return False
    return similarity(mine.shingles, theirs.shingles).is_copy
