"""Celery tasks: the scale-out path, calling the same pipeline functions as the scheduler.

    beat -> enqueue_due_sources: claim due sources in batches (SKIP LOCKED)
         -> refresh_source(id): fetch the feed, store entries with full text
              -> store_page(job) for each entry whose article page is wanted

A feed's article pages are tasks of their own, so the workers spread them; the
per-host throttle and robots.txt verdicts are shared through Redis
(NEWSDESK_REDIS_URL), so all workers together still make one request at a
time per host. Extraction runs in each worker's pool of extraction processes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from newsdesk.ingest.crawler import shared_fetcher
from newsdesk.ingest.pipeline import PageJob, finish_refresh, start_refresh, store_page
from newsdesk.ingest.schedule import claim_due_sources, fetchable_sources

CLAIM_BATCH = 100


@shared_task(name="newsdesk.jobs.tasks.refresh_source")
def refresh_source_task(source_id: int) -> dict[str, Any]:
    """Refresh one source's feed and queue its article pages; errors are stored on the source."""
    source = fetchable_sources().filter(pk=source_id).first()
    if source is None:
        return {"source_id": source_id, "status": "gone"}
    run = start_refresh(source, shared_fetcher())
    result = finish_refresh(run)
    for job in run.pages:
        store_page_task.delay(job.to_payload())
    return {**asdict(result), "pages_queued": len(run.pages)}


@shared_task(name="newsdesk.jobs.tasks.store_page")
def store_page_task(payload: dict[str, Any]) -> str:
    """Fetch, extract and store one entry's article page; return what happened to it."""
    job = PageJob.from_payload(payload)
    if job is None:
        return "gone"
    return store_page(job, shared_fetcher())


@shared_task(name="newsdesk.jobs.tasks.enqueue_due_sources")
def enqueue_due_sources() -> int:
    """Claim due sources batch by batch and queue a refresh for each; return how many."""
    queued = 0
    while ids := claim_due_sources(CLAIM_BATCH):
        for source_id in ids:
            refresh_source_task.delay(source_id)
        queued += len(ids)
    return queued


@shared_task(name="newsdesk.jobs.tasks.prune_hits")
def prune_hits_task() -> int:
    """Delete raw views past retention and expired day salts; return views deleted."""
    from newsdesk.hits.rollups import prune_hits

    return prune_hits().views


@shared_task(name="newsdesk.jobs.tasks.send_comment_digests")
def send_comment_digests_task() -> int:
    """Email due editors their digest of held comments; return how many emails were sent."""
    from newsdesk.comments.digest import send_held_digests

    return send_held_digests()


@shared_task(name="newsdesk.jobs.tasks.understand_new_articles")
def understand_new_articles_task() -> int:
    """Place newly stored articles into stories (a no-op while another worker does it)."""
    from newsdesk.stories.stage import understand_new_articles

    return understand_new_articles().placed
