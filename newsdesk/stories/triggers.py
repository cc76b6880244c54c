"""Install and remove a set of database triggers, in each database's own dialect.

What the database derives from articles by itself (source counts, listing cards)
is a set of statements per vendor; installing and removing them is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class TriggerSet:
    """The statements that create and drop some triggers on PostgreSQL and on SQLite."""

    postgres_create: Sequence[str]
    postgres_drop: Sequence[str]
    sqlite_create: Sequence[str]
    sqlite_drop: Sequence[str]

    def create(self, db: BaseDatabaseWrapper) -> None:
        """Install the triggers on ``db`` (PostgreSQL or SQLite)."""
        postgres = db.vendor == "postgresql"
        _run(db, self.postgres_create if postgres else self.sqlite_create)

    def drop(self, db: BaseDatabaseWrapper) -> None:
        _run(db, self.postgres_drop if db.vendor == "postgresql" else self.sqlite_drop)


def _run(db: BaseDatabaseWrapper, statements: Sequence[str]) -> None:
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
