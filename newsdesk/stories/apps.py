from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_search_triggers(using: str, **kwargs: Any) -> None:
    from django.db import connections

    from newsdesk.stories import cards, search_index, source_counts

    search_index.ensure_sqlite_triggers(connections[using])
    source_counts.ensure_sqlite_triggers(connections[using])
    cards.ensure_sqlite_triggers(connections[using])


class StoriesConfig(AppConfig):
    name = "newsdesk.stories"
    label = "stories"

    def ready(self) -> None:
        post_migrate.connect(_restore_search_triggers, sender=self)
