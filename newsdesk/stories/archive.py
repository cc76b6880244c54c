"""The stored articles the Understand stage compares new ones with: database, and Redis.

The LSH bands are rows of ``ReprintBand`` so that every stage process, and a
restarted one, finds the same candidates. With NEWSDESK_REDIS_URL set they are
also kept in Redis sets that expire with the reprint window, and looked up
there (one round trip per batch); when Redis fails the database answers.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from newsdesk.core.writes import adapt_datetime, insert_rows
from newsdesk.stories.dedup import Fingerprint
from newsdesk.stories.models import Article, ReprintBand
from newsdesk.stories.types import ArticleItem, chunked
from newsdesk.stories.understand import Known

logger = logging.getLogger(__name__)

REDIS_PREFIX = "newsdesk:stories:band:"
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
    """Look placed articles up in the database (and their bands in Redis when configured)."""

    def __init__(self, fingerprints: dict[int, Fingerprint | None] | None = None) -> None:
        self.fingerprints = fingerprints if fingerprints is not None else {}
        self.redis = redis_client()
        # Articles loaded without a cached fingerprint: remembered once compared.
        self.uncached: list[Known] = []

    def band_matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        if self.redis is not None:
            try:
                return self._redis_matches(buckets)
            except Exception as error:
                logger.warning("redis band lookup failed", extra={"error": str(error)})
        found: dict[int, set[int]] = {}
        table = connection.ops.quote_name(ReprintBand._meta.db_table)
        # Plain SQL: the ORM's preparation of a 2,000-value IN list cost more than the lookup.
        with connection.cursor() as cursor:
            for chunk in chunked(sorted(buckets), IN_CHUNK):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT bucket, article_id FROM {table} WHERE bucket IN ({marks})",  # noqa: S608
                    chunk,
                )
                for bucket, article_id in cursor.fetchall():
                    found.setdefault(bucket, set()).add(article_id)
        return found

    def _redis_matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        assert self.redis is not None
        ordered = list(buckets)
        pipe = self.redis.pipeline(transaction=False)
        for bucket in ordered:
            pipe.smembers(f"{REDIS_PREFIX}{bucket}")
        found: dict[int, set[int]] = {}
        for bucket, members in zip(ordered, pipe.execute(), strict=True):
            if members:
                found[bucket] = {int(member) for member in members}
        return found

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


def store_bands(prints: dict[int, Fingerprint], seen: dict[int, datetime]) -> None:
    """Write the LSH bands of newly placed articles (database, and Redis when configured)."""
    # Adapt each article's moment once, not once per band (42 rows an article).
    moments = {article_id: adapt_datetime(seen[article_id]) for article_id in prints}
    # In bucket order: each insert then lands near the previous one in the bucket index.
    rows = sorted(
        (bucket, article_id, moments[article_id])
        for article_id, print_ in prints.items()
        for bucket in print_.buckets
    )
    insert_rows(ReprintBand, ["bucket", "article", "seen_at"], rows, adapted=True)
    client = redis_client()
    if client is None:
        return
    expiry = int(reprint_window().total_seconds())
    try:
        pipe = client.pipeline(transaction=False)
        for article_id, print_ in prints.items():
            for bucket in print_.buckets:
                pipe.sadd(f"{REDIS_PREFIX}{bucket}", article_id)
                pipe.expire(f"{REDIS_PREFIX}{bucket}", expiry)
        pipe.execute()
    except Exception as error:
        logger.warning("redis band store failed", extra={"error": str(error)})


def forget_bands(article_ids: Collection[int]) -> None:
    """Take articles out of the reprint index (hidden ones may not be credited)."""
    for chunk in chunked(article_ids, IN_CHUNK):
        buckets = list(
            ReprintBand.objects.filter(article_id__in=chunk).values_list("bucket", "article_id")
        )
        ReprintBand.objects.filter(article_id__in=chunk).delete()
        client = redis_client()
        if client is not None and buckets:
            try:
                pipe = client.pipeline(transaction=False)
                for bucket, article_id in buckets:
                    pipe.srem(f"{REDIS_PREFIX}{bucket}", article_id)
                pipe.execute()
            except Exception as error:
                logger.warning("redis band removal failed", extra={"error": str(error)})


def prune_bands(before: datetime) -> int:
    """Delete band rows of articles first seen before ``before`` (Redis keys expire alone)."""
    deleted, _ = ReprintBand.objects.filter(seen_at__lt=before).delete()
    return deleted


def reprint_window() -> timedelta:
    return timedelta(days=settings.NEWSDESK_REPRINT_WINDOW_DAYS)


def story_window() -> timedelta:
    return timedelta(hours=settings.NEWSDESK_STORIES_WINDOW_HOURS)


_clients: dict[str, Any] = {}


def redis_client() -> Any:
    """Return a Redis client for NEWSDESK_REDIS_URL, or None when it is not set."""
    url = str(settings.NEWSDESK_REDIS_URL or "")
    if not url:
        return None
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[url]
