"""The LSH band index of the reprint window, in memory: which placed articles share a bucket.

The stage looks up every new article's 42 band buckets once a batch. Kept as rows
of (bucket, article) in the database, each batch inserted 21,000 rows into a
table of millions (a third of the stage's time); now the database keeps one row
an article (``ReprintBands``, its buckets in one blob) to rebuild this index
after a restart, and the lookups are binary searches in sorted numpy arrays.

Memory: 12 bytes a bucket (the bucket and its article's position) and 16 bytes
an article, about 520 bytes an article inside the reprint window. Arrays are
kept in a few sorted runs, merged as they grow (each run at most half the size
of the one before, none past ``MAX_RUN``), so adding a batch never re-sorts the
whole window.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

# Stored rows read into one sorted run at a time when the index is rebuilt.
REBUILD_CHUNK = 20_000
# Buckets in one run at most (24 MB; about 48,000 articles): bounds a merge's peak memory,
# at the price of a lookup per run (a dozen at 20,000 articles a day for 30 days).
MAX_RUN = 2_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def encode_buckets(buckets: Sequence[int]) -> bytes:
    """Pack an article's band buckets for the database (little-endian signed 64-bit)."""
    return np.asarray(buckets, "<i8").tobytes()


def decode_buckets(raw: bytes | memoryview) -> np.ndarray:
    """Unpack what ``encode_buckets`` stored."""
    return np.frombuffer(raw, "<i8")


def moment(value: datetime) -> int:
    """Return an aware datetime as whole microseconds since the epoch."""
    return (value - _EPOCH) // _MICROSECOND


@dataclass
class _Run:
    """Buckets sorted ascending; ``owners`` gives each one's position in ``ids``/``seen``."""

    buckets: np.ndarray
    owners: np.ndarray
    ids: np.ndarray
    seen: np.ndarray

    @classmethod
    def build(
        cls, buckets: np.ndarray, owners: np.ndarray, ids: np.ndarray, seen: np.ndarray
    ) -> _Run:
        order = np.argsort(buckets, kind="stable")
        return cls(buckets[order], owners[order].astype(np.int32), ids, seen)

    def keep(self, alive: np.ndarray) -> _Run:
        """Return the run without the articles where ``alive`` is False."""
        positions = np.cumsum(alive) - 1
        entries = alive[self.owners]
        return _Run(
            self.buckets[entries],
            positions[self.owners[entries]].astype(np.int32),
            self.ids[alive],
            self.seen[alive],
        )


class BandIndex:
    """Band buckets of placed articles, searchable by bucket, pruned by first-seen time."""

    def __init__(self) -> None:
        self._runs: list[_Run] = []

    def add(self, entries: Iterable[tuple[int, np.ndarray, int]]) -> None:
        """Add articles as (id, buckets, first seen in ``moment`` microseconds)."""
        ids: list[int] = []
        seen: list[int] = []
        parts: list[np.ndarray] = []
        for article_id, buckets, when in entries:
            ids.append(article_id)
            seen.append(when)
            parts.append(np.asarray(buckets, np.int64))
        if not ids:
            return
        sizes = np.fromiter(map(len, parts), np.int64, len(parts))
        owners = np.repeat(np.arange(len(ids), dtype=np.int32), sizes)
        run = _Run.build(
            np.concatenate(parts), owners, np.array(ids, np.int64), np.array(seen, np.int64)
        )
        self._runs.append(run)
        self._merge()

    def _merge(self) -> None:
        # Like a binary counter: runs stay few (logarithmic), each merge sorts little. Runs
        # stop growing at MAX_RUN: a merge briefly needs about three times the run's memory.
        runs = self._runs
        while (
            len(runs) > 1
            and runs[-2].buckets.size <= 2 * runs[-1].buckets.size
            and runs[-2].buckets.size + runs[-1].buckets.size <= MAX_RUN
        ):
            newer = runs.pop()
            older = runs.pop()
            runs.append(
                _Run.build(
                    np.concatenate([older.buckets, newer.buckets]),
                    np.concatenate([older.owners, newer.owners + older.ids.size]),
                    np.concatenate([older.ids, newer.ids]),
                    np.concatenate([older.seen, newer.seen]),
                )
            )

    def matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        """Return, for each of ``buckets`` some article has, the ids of those articles."""
        found: dict[int, set[int]] = {}
        if not buckets or not self._runs:
            return found
        wanted = np.unique(np.fromiter(buckets, np.int64, len(buckets)))
        for run in self._runs:
            low = np.searchsorted(run.buckets, wanted, "left")
            high = np.searchsorted(run.buckets, wanted, "right")
            # Most buckets match nothing: loop in Python over the hits only.
            for at in np.flatnonzero(high > low).tolist():
                ids = run.ids[run.owners[low[at] : high[at]]].tolist()
                found.setdefault(int(wanted[at]), set()).update(ids)
        return found

    def prune(self, before: datetime) -> int:
        """Forget articles first seen before ``before``; return how many."""
        cutoff = moment(before)
        dropped = 0
        kept = []
        for run in self._runs:
            alive = run.seen >= cutoff
            gone = run.ids.size - int(alive.sum())
            dropped += gone
            if gone == run.ids.size:
                continue
            kept.append(run.keep(alive) if gone else run)
        self._runs = kept
        return dropped

    def __len__(self) -> int:
        """Return how many articles the index holds."""
        return sum(run.ids.size for run in self._runs)


def index_from_rows(rows: Iterable[tuple[int, bytes | memoryview, datetime]]) -> BandIndex:
    """Build an index from stored (article id, encoded buckets, first seen) rows."""
    index = BandIndex()
    # A run per chunk, merged as they come: the whole window is never held twice as objects.
    chunk: list[tuple[int, np.ndarray, int]] = []
    for pk, raw, seen in rows:
        chunk.append((pk, decode_buckets(raw), moment(seen)))
        if len(chunk) == REBUILD_CHUNK:
            index.add(chunk)
            chunk = []
    index.add(chunk)
    return index


def entries_of(
    prints: Mapping[int, Sequence[int]], seen: Mapping[int, datetime]
) -> list[tuple[int, np.ndarray, int]]:
    """Return ``BandIndex.add`` entries for articles' buckets and first-seen times."""
    return [(pk, np.asarray(buckets, np.int64), moment(seen[pk])) for pk, buckets in prints.items()]
