"""A poll of unchanged feeds (all 304) is recorded in batches, over real HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest import crawler
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.pipeline import RefreshResult, RefreshRun, refresh_source
from newsdesk.ingest.schedule import due_sources
from newsdesk.sources.models import FetchStatus, Source

FEEDS = Path(__file__).resolve().parents[1] / "data" / "integration" / "feeds"

pytestmark = pytest.mark.django_db(transaction=True)


def unchanged_sources(server: CorpusServer, count: int) -> list[Source]:
    """``count`` sources fetched once, so each answers the next poll with 304."""
    sources = []
    for n in range(count):
        shutil.copy(FEEDS / "tpm.atom", server.root / f"feed{n}.atom")
        source = Source.objects.create(name=f"Feed {n}", feed_url=server.url(f"feed{n}.atom"))
        refresh_source(source)
        sources.append(source)
    Source.objects.update(next_fetch_at=timezone.now())
    return sources


def source_updates(queries: CaptureQueriesContext) -> int:
    return sum('UPDATE "sources_source"' in query["sql"] for query in queries.captured_queries)


def test_an_unchanged_poll_records_every_source_in_batched_writes(
    corpus_server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five 304s with batches of two: three UPDATE statements, every source recorded."""
    sources = unchanged_sources(corpus_server, 5)
    before = {s.pk: Source.objects.get(pk=s.pk) for s in sources}
    monkeypatch.setattr(crawler, "UNCHANGED_BATCH", 2)
    done: list[RefreshResult] = []
    began = timezone.now()

    with CaptureQueriesContext(connection) as queries:
        results = crawl(due_sources(), workers=1, on_done=done.append)

    assert source_updates(queries) == 3  # 2 + 2 + the rest when the crawl ends
    assert sorted(r.source_id for r in results) == sorted(before)
    assert sorted(r.source_id for r in done) == sorted(before)
    assert {r.status for r in results} == {FetchStatus.NOT_MODIFIED}
    for source in Source.objects.filter(pk__in=before):
        old = before[source.pk]
        assert source.last_status == FetchStatus.NOT_MODIFIED
        assert source.last_http_status == 304
        assert source.etag == old.etag and source.etag
        assert source.last_fetched_at is not None and source.last_fetched_at >= began
        assert source.last_success_at == source.last_fetched_at
        assert source.next_fetch_at == source.last_fetched_at + source.fetch_interval
        assert source.items_per_day == old.items_per_day  # a 304 has no entries to count
        assert source.response_ms is not None


def test_a_failed_batch_write_records_each_source_on_its_own(
    corpus_server: CorpusServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the batched write fails, the sources are still recorded, one by one."""
    sources = unchanged_sources(corpus_server, 3)

    def broken(runs: list[RefreshRun]) -> list[RefreshResult]:
        raise RuntimeError("batch write failed")

    monkeypatch.setattr(crawler, "finish_unchanged", broken)

    results = crawl(due_sources(), workers=1)

    assert sorted(r.source_id for r in results) == sorted(s.pk for s in sources)
    assert set(Source.objects.values_list("last_status", flat=True)) == {FetchStatus.NOT_MODIFIED}
