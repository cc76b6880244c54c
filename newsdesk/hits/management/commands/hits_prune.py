"""`newsdesk hits-prune`: delete raw views past retention and expired daily salts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from newsdesk.hits.rollups import prune_hits


class Command(BaseCommand):
    help = "Delete raw page views older than NEWSDESK_HITS_RETENTION_DAYS and expired salts."

    def handle(self, *args: Any, **options: Any) -> None:
        result = prune_hits()
        self.stdout.write(
            f"pruned {result.views} views, {result.salts} salts, "
            f"{result.visitor_sets} visitor-set rows"
        )
