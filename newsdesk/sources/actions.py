"""Named actions staff take on sources: activate, deactivate, resume fetching, fetch now.

Each changes one source and leaves a log row in the admin history
(``core.staff_log``); the admin's actions, its forms and the source health page
call these. The state changes return False, and log nothing, when the source
was already in that state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from newsdesk.core.staff_log import log_staff_action
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.pipeline import RefreshResult
from newsdesk.sources.models import Source


def activate_source(source: Source, *, actor: AbstractBaseUser) -> bool:
    """Crawl a source again and show its articles."""
    return _set_active(source, True, actor, "Activated the source (activate_source).")


def deactivate_source(source: Source, *, actor: AbstractBaseUser) -> bool:
    """Stop crawling a source; its articles leave the site."""
    return _set_active(source, False, actor, "Deactivated the source (deactivate_source).")


def set_source_active(source: Source, active: bool, *, actor: AbstractBaseUser) -> bool:
    """Apply an active value chosen in a form through its named action."""
    action = activate_source if active else deactivate_source
    return action(source, actor=actor)


def _set_active(source: Source, active: bool, actor: AbstractBaseUser, message: str) -> bool:
    if source.active == active:
        return False
    source.active = active
    with transaction.atomic():
        source.save(update_fields=["active"])
        log_staff_action(actor, source, message)
    return True


def resume_fetching(source: Source, *, actor: AbstractBaseUser) -> bool:
    """Fetch again, from the next crawl, a source the crawler stopped (gone or broken)."""
    if source.fetch_stopped_at is None:
        return False
    source.fetch_stopped_at = None
    source.fetch_stopped_reason = ""
    source.failing_since = None
    source.next_fetch_at = timezone.now()
    fields = ["fetch_stopped_at", "fetch_stopped_reason", "failing_since", "next_fetch_at"]
    with transaction.atomic():
        source.save(update_fields=fields)
        log_staff_action(actor, source, "Resumed fetching (resume_fetching).")
    return True


@dataclass(frozen=True)
class FetchNow:
    """What "fetch now" did for one source: its refresh, or None when left to the crawler."""

    source: Source
    result: RefreshResult | None

    @property
    def level(self) -> str:
        """Name how it went: "success", "warning", "error" or "queued"."""
        if self.result is None:
            return "queued"
        if not self.result.ok or self.result.stopped:
            return "error"
        if self.result.page_errors or self.result.failed_entries:
            return "warning"
        return "success"

    def describe(self) -> str:
        if self.result is None:
            return (
                f"{self.source.name}: not finished within the fetch deadline; "
                "the crawler goes on with it within a minute."
            )
        return self.result.describe()


def fetch_now(
    sources: Sequence[Source], *, actor: AbstractBaseUser, budget: float | None = None
) -> list[FetchNow]:
    """Fetch ``sources`` at once, within ``budget`` seconds (the fetch deadline by default).

    A web request waits for this, so it is bounded: no request starts after the
    budget, and the one in hand ends by its own deadline. A source not finished
    by then is made due, so the crawler fetches it next (within a minute).
    """
    if budget is None:
        budget = float(settings.NEWSDESK_FETCH_DEADLINE)
    done = {result.source_id: result for result in crawl(list(sources), budget=budget)}
    outcomes = [FetchNow(source, done.get(source.pk)) for source in sources]
    queued = [outcome.source.pk for outcome in outcomes if outcome.result is None]
    with transaction.atomic():
        if queued:
            Source.objects.filter(pk__in=queued).update(next_fetch_at=timezone.now())
        for outcome in outcomes:
            log_staff_action(
                actor, outcome.source, f"Fetched now (fetch_now): {outcome.describe()}"
            )
    return outcomes
