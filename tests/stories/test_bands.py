"""The in-memory band index answers as the old table of (bucket, article) rows did."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from newsdesk.stories.bands import BandIndex, decode_buckets, encode_buckets, moment

START = datetime(2026, 1, 1, tzinfo=UTC)


def reference(rows: list[tuple[int, list[int], datetime]], wanted: set[int], since: datetime):
    """What ``SELECT bucket, article_id ... WHERE bucket IN (...)`` over kept rows returned."""
    found: dict[int, set[int]] = {}
    for pk, buckets, seen in rows:
        if seen >= since:
            for bucket in buckets:
                if bucket in wanted:
                    found.setdefault(bucket, set()).add(pk)
    return found


def test_matches_equal_a_table_scan_across_merges_and_prunes() -> None:
    """Batches merged into runs, then pruned, find exactly the rows a table would keep."""
    rng = random.Random(5)
    pool = [rng.randrange(-(2**63), 2**63) for _ in range(3000)]
    index = BandIndex()
    rows: list[tuple[int, list[int], datetime]] = []
    pk = 0
    for batch in range(40):
        entries = []
        for _ in range(rng.randint(1, 60)):
            pk += 1
            buckets = [rng.choice(pool) for _ in range(42)]
            seen = START + timedelta(minutes=batch * 10 + rng.randint(0, 9))
            rows.append((pk, buckets, seen))
            entries.append((pk, np.array(buckets, np.int64), moment(seen)))
        index.add(entries)
        wanted = set(rng.sample(pool, 200)) | {12345}
        assert index.matches(wanted) == reference(rows, wanted, START)
    assert len(index._runs) < 10  # merged as it grew
    since = START + timedelta(minutes=150)
    index.prune(since)
    assert len(index) == sum(1 for _, _, seen in rows if seen >= since)
    wanted = set(pool)
    assert index.matches(wanted) == reference(rows, wanted, since)


def test_an_empty_index_matches_nothing() -> None:
    """No articles, or no buckets asked: an empty answer."""
    assert BandIndex().matches({1, 2}) == {}
    index = BandIndex()
    index.add([(1, np.array([7, 8], np.int64), 0)])
    assert index.matches(set()) == {}
    assert index.matches({7}) == {7: {1}}
    assert index.prune(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1
    assert index.matches({7}) == {}


def test_buckets_round_trip_through_their_stored_form() -> None:
    """Signed 64-bit buckets come back from bytes (SQLite) and memoryview (PostgreSQL)."""
    buckets = (-(2**63), -1, 0, 2**63 - 1)
    raw = encode_buckets(buckets)
    assert tuple(decode_buckets(raw).tolist()) == buckets
    assert tuple(decode_buckets(memoryview(raw)).tolist()) == buckets


def test_a_rebuilt_index_answers_as_the_one_built_batch_by_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows read back in several chunks find the same articles as the live index."""
    from newsdesk.stories import bands

    monkeypatch.setattr(bands, "REBUILD_CHUNK", 7)
    rng = random.Random(9)
    rows = [
        (pk, encode_buckets([rng.randrange(-50, 50) for _ in range(42)]), START)
        for pk in range(1, 60)
    ]
    live = BandIndex()
    live.add((pk, decode_buckets(raw), moment(seen)) for pk, raw, seen in rows)
    rebuilt = bands.index_from_rows(iter(rows))
    assert len(rebuilt) == len(live) == 59
    assert rebuilt.matches(set(range(-60, 60))) == live.matches(set(range(-60, 60)))


def test_runs_stop_growing_at_the_cap_and_still_find_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past MAX_RUN buckets runs are kept apart, and lookups search each of them."""
    from newsdesk.stories import bands

    monkeypatch.setattr(bands, "MAX_RUN", 200)
    index = BandIndex()
    rows: list[tuple[int, list[int], datetime]] = []
    for pk in range(1, 41):
        buckets = [pk * 100 + band for band in range(42)] + [7]
        rows.append((pk, buckets, START))
        index.add([(pk, np.array(buckets, np.int64), moment(START))])
    assert all(run.buckets.size <= 200 for run in index._runs)
    assert len(index._runs) > 5
    wanted = {7, 105, 4041, 99}
    assert index.matches(wanted) == reference(rows, wanted, START)
