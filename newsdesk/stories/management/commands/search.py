"""`newsdesk search rebuild`: fill the full-text index again from the stored articles."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from newsdesk.stories.search_index import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index (PostgreSQL search vectors or SQLite FTS5)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("rebuild", help="Index every published article again, in batches.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        columns = (
            TextColumn("[bold]Indexing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} ids"),
            TimeElapsedColumn(),
        )
        started = time.monotonic()
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("", total=0)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = rebuild_index(progress=advance)
        elapsed = time.monotonic() - started
        console.print(
            f"Indexed {result.indexed:,} published article(s) on {result.vendor}"
            f" in {elapsed:.1f} s."
        )
