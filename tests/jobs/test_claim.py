"""Due sources are claimed in batches; two enqueuers never claim the same source."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from newsdesk.ingest.schedule import claim_due_sources
from newsdesk.jobs.tasks import enqueue_due_sources
from newsdesk.sources.models import Source
from tests.site.factories import make_source


def overdue(minutes: int, **fields: object) -> Source:
    return make_source(next_fetch_at=timezone.now() - timedelta(minutes=minutes), **fields)


@pytest.mark.django_db
def test_claims_come_in_batches_most_overdue_first() -> None:
    """Each claim takes the most overdue sources and leases them one interval ahead."""
    oldest, older, old = overdue(30), overdue(20), overdue(10)
    overdue(40, active=False)
    overdue(50, fetch_stopped_at=timezone.now())
    make_source(next_fetch_at=timezone.now() + timedelta(minutes=5))

    assert claim_due_sources(2) == [oldest.pk, older.pk]
    assert claim_due_sources(2) == [old.pk]
    assert claim_due_sources(2) == []
    oldest.refresh_from_db()
    assert oldest.next_fetch_at > timezone.now() + oldest.fetch_interval - timedelta(minutes=1)


@pytest.mark.django_db
def test_enqueue_queues_every_due_source_once() -> None:
    """beat's enqueue claims batch after batch until none is due; a second run queues nothing."""
    for minutes in range(5):
        overdue(minutes + 1)
    assert enqueue_due_sources() == 5
    assert enqueue_due_sources() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_skip_locked_passes_over_sources_another_enqueuer_holds() -> None:
    """While one enqueuer holds row locks, another claims the other rows at once, not waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serializes claims at BEGIN IMMEDIATE")
    sources = [overdue(60 - n) for n in range(6)]
    held = [s.pk for s in sources[:3]]
    locked, release = threading.Event(), threading.Event()

    def hold_rows() -> None:
        try:
            with transaction.atomic():
                list(Source.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_rows)
    holder.start()
    try:
        assert locked.wait(10)
        claimed = claim_due_sources(10)
    finally:
        release.set()
        holder.join()
    assert claimed == [s.pk for s in sources[3:]]
    assert claim_due_sources(10) == held
