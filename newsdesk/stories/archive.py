"""The stored articles the Understand stage compares new ones with.

The LSH bands are searched in memory (``stories.bands``); each article's buckets
are also stored as one ``ReprintBands`` row so that every stage process, and a
restarted one, rebuilds the same index and finds the same candidates.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from newsdesk.core.writes import adapt_datetime, insert_rows
from newsdesk.stories.bands import BandIndex, encode_buckets, entries_of, index_from_rows
from newsdesk.stories.dedup import Fingerprint
from newsdesk.stories.models import Article, ReprintBands
from newsdesk.stories.types import ArticleItem, chunked
from newsdesk.stories.understand import Known

# SQLite allows 32766 variables per statement; PostgreSQL many more.
IN_CHUNK = 2000
# Fingerprints of articles already compared, kept for the next comparisons.
FINGERPRINT_CACHE = 5000

ITEM_FIELDS = (
    "pk",
    "source_id",
    "title",
    "body_text",
    "summary",
    "language",
    "published_at",
    "first_seen_at",
    "canonical_url",
    "body_hash",
)


def item_from_row(row: dict[str, Any]) -> ArticleItem:
    """Build the stage's view of an article from a ``values()`` row."""
    return ArticleItem(
        id=row["pk"],
        source_id=row["source_id"],
        title=row["title"],
        text=row["body_text"] or row["summary"],
        language=row["language"],
        published_at=row["published_at"],
        first_seen_at=row["first_seen_at"],
        canonical_url=row["canonical_url"],
        body_hash=row["body_hash"],
        summary=row["summary"],
    )


def placed_articles() -> Any:
    """Published articles the stage has placed: the only ones new articles are compared with."""
    # Led by the keys each caller names (ids, URLs, hashes), not by the status index;
    # unordered (callers collect sets), so the database sorts nothing for the listing order.
    return Article.objects.with_published_status().filter(understood_at__isnull=False).order_by()


class DatabaseArchive:
    """Look placed articles up in the database, and their bands in the stage's band index."""

    def __init__(self, fingerprints: dict[int, Fingerprint | None], bands: BandIndex) -> None:
        # Both are the stage's state, kept between batches (the band index is built from
        # the reprint window's stored rows, never from the whole table).
        self.fingerprints = fingerprints
        self.bands = bands
        # Articles loaded without a cached fingerprint: remembered once compared.
        self.uncached: list[Known] = []

    def band_matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        return self.bands.matches(buckets)

    def exact_matches(
        self, urls: Collection[str], hashes: Collection[str]
    ) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        by_url: dict[str, set[int]] = {}
        by_hash: dict[str, set[int]] = {}
        # Two queries, not one with OR: each then walks its own index, not the table.
        for chunk in _chunked_text(urls):
            for pk, url in (
                placed_articles().filter(canonical_url__in=chunk).values_list("pk", "canonical_url")
            ):
                by_url.setdefault(url, set()).add(pk)
        for chunk in _chunked_text(hashes):
            for pk, body in (
                placed_articles().filter(body_hash__in=chunk).values_list("pk", "body_hash")
            ):
                by_hash.setdefault(body, set()).add(pk)
        return by_url, by_hash

    def load(self, ids: Collection[int]) -> dict[int, Known]:
        found: dict[int, Known] = {}
        for chunk in chunked(ids, IN_CHUNK):
            rows = placed_articles().filter(pk__in=chunk)
            for row in rows.values(*ITEM_FIELDS, "story_id", "reprint_of_id"):
                known = Known(item_from_row(row), row["story_id"], row["reprint_of_id"])
                if row["pk"] in self.fingerprints:
                    # Least recently used goes first: move a hit to the end.
                    known.print_ = self.fingerprints[row["pk"]] = self.fingerprints.pop(row["pk"])
                    known.printed = True
                else:
                    self.uncached.append(known)
                found[row["pk"]] = known
        return found

    def remember(self, prints: dict[int, Fingerprint]) -> None:
        """Keep the fingerprints of newly placed and of compared articles, within the bound.

        An older article that shares buckets with one new article (a boilerplate
        paragraph, a wire service's line) tends to share them with the next ones:
        computing its fingerprint again from its text every batch cost more, on a
        growing archive, than all the new articles' own.
        """
        for known in self.uncached:
            if known.printed:
                self.fingerprints[known.item.id] = known.print_
        self.uncached = []
        self.fingerprints.update(prints)
        excess = len(self.fingerprints) - FINGERPRINT_CACHE
        for key in list(itertools.islice(self.fingerprints, max(excess, 0))):
            del self.fingerprints[key]


def _chunked_text(values: Collection[str]) -> list[list[str]]:
    ordered = sorted(value for value in values if value)
    return [ordered[i : i + IN_CHUNK] for i in range(0, len(ordered), IN_CHUNK)]


def load_bands(since: datetime | None = None) -> BandIndex:
    """Build the band index from the stored bands of articles first seen since ``since``."""
    rows = ReprintBands.objects.order_by()
    if since is not None:
        rows = rows.filter(seen_at__gte=since)
    return index_from_rows(
        rows.values_list("article_id", "buckets", "seen_at").iterator(chunk_size=5000)
    )


def store_bands(prints: dict[int, Fingerprint], seen: dict[int, datetime]) -> None:
    """Write the LSH bands of newly placed articles, one row an article."""
    rows = [
        (article_id, encode_buckets(print_.buckets), adapt_datetime(seen[article_id]))
        for article_id, print_ in prints.items()
    ]
    insert_rows(ReprintBands, ["article", "buckets", "seen_at"], rows, adapted=True)


def index_bands(
    prints: dict[int, Fingerprint], seen: dict[int, datetime], index: BandIndex
) -> None:
    """Add newly placed articles' bands to the in-memory index (once they are stored)."""
    index.add(entries_of({pk: print_.buckets for pk, print_ in prints.items()}, seen))


def forget_bands(article_ids: Collection[int]) -> None:
    """Take articles out of the stored reprint index (hidden ones may not be credited).

    The in-memory index is rebuilt from the rows afterwards (the stage resets its state).
    """
    for chunk in chunked(article_ids, IN_CHUNK):
        ReprintBands.objects.filter(article_id__in=chunk).delete()


def prune_bands(before: datetime, index: BandIndex | None = None) -> int:
    """Delete the bands of articles first seen before ``before``; return how many rows."""
    if index is not None:
        index.prune(before)
    deleted, _ = ReprintBands.objects.filter(seen_at__lt=before).delete()
    return deleted


def reprint_window() -> timedelta:
    return timedelta(days=settings.NEWSDESK_REPRINT_WINDOW_DAYS)


def story_window() -> timedelta:
    return timedelta(hours=settings.NEWSDESK_STORIES_WINDOW_HOURS)
