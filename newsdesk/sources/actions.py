"""Named actions staff take on sources: activate, deactivate, resume fetching.

Each changes one source and leaves a log row in the admin history
(``core.staff_log``); the admin's actions and its forms call these. Each returns
False, and logs nothing, when the source was already in that state.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from newsdesk.core.staff_log import log_staff_action
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
