"""Celery tasks: the scale-out path, calling the same pipeline functions as the scheduler."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from newsdesk.ingest.pipeline import due_sources, refresh_source
from newsdesk.sources.models import Source


@shared_task(name="newsdesk.jobs.tasks.refresh_source")
def refresh_source_task(source_id: int) -> dict[str, Any]:
    """Refresh one source by id; errors are stored on the source like any crawl."""
    source = Source.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return {"source_id": source_id, "status": "gone"}
    return asdict(refresh_source(source))


def claim(source: Source) -> bool:
    """Move a due source's next fetch ahead so two enqueuers never queue it twice."""
    now = timezone.now()
    claimed = Source.objects.filter(pk=source.pk, next_fetch_at__lte=now).update(
        next_fetch_at=now + F("fetch_interval")
    )
    return claimed == 1


@shared_task(name="newsdesk.jobs.tasks.enqueue_due_sources")
def enqueue_due_sources() -> int:
    """Queue a refresh task for every due source; return how many were queued."""
    queued = 0
    for source in due_sources():
        if claim(source):
            refresh_source_task.delay(source.pk)
            queued += 1
    return queued


@shared_task(name="newsdesk.jobs.tasks.prune_hits")
def prune_hits_task() -> int:
    """Delete raw views past retention and expired day salts; return views deleted."""
    from newsdesk.hits.rollups import prune_hits

    return prune_hits().views


@shared_task(name="newsdesk.jobs.tasks.understand_new_articles")
def understand_new_articles_task() -> int:
    """Place newly stored articles into stories (a no-op while another worker does it)."""
    from newsdesk.stories.stage import understand_new_articles

    return understand_new_articles().placed
