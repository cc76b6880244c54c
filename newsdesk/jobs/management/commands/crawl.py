"""`newsdesk crawl [--once] [--all]`: refresh due sources with a progress bar and a summary."""

from __future__ import annotations

import time
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.pipeline import RefreshResult
from newsdesk.ingest.schedule import due_sources, fetchable_sources
from newsdesk.sources.models import Source


class Command(BaseCommand):
    help = "Fetch due sources (once, or every --interval seconds until stopped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--all", action="store_true", help="Every active source, due or not.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between passes.")
        parser.add_argument(
            "--queue", action="store_true", help="Send due sources to Celery workers instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout._out))
        if options["queue"]:
            from newsdesk.jobs.tasks import enqueue_due_sources

            self.stdout.write(f"Queued {enqueue_due_sources()} due sources for Celery workers.")
            return
        while True:
            sources = list(fetchable_sources()) if options["all"] else due_sources()
            results = crawl_with_progress(sources, console)
            print_summary(results, console)
            if options["once"]:
                return
            time.sleep(options["interval"])


def crawl_with_progress(sources: list[Source], console: Console) -> list[RefreshResult]:
    """Crawl ``sources`` showing a rich progress bar."""
    columns = (
        TextColumn("[bold]Crawling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=len(sources))

        def advance(result: RefreshResult) -> None:
            progress.update(task, advance=1, description=result.source_name[:40])

        return crawl(sources, on_done=advance)


def print_summary(results: list[RefreshResult], console: Console) -> None:
    """Print one row per source and the totals."""
    table = Table(title="Crawl summary", show_footer=True)
    failed = [r for r in results if not r.ok]
    table.add_column("source", footer=f"{len(results) - len(failed)} ok, {len(failed)} failed")
    table.add_column("status")
    table.add_column("new", justify="right", footer=str(sum(r.new for r in results)))
    table.add_column("updated", justify="right", footer=str(sum(r.updated for r in results)))
    table.add_column("error")
    for result in results:
        table.add_row(
            result.source_name,
            result.status,
            str(result.new),
            str(result.updated),
            result_note(result)[:80],
        )
    console.print(table)


def result_note(result: RefreshResult) -> str:
    """The one thing an operator should read about a source's refresh, if any."""
    if result.stopped:
        return f"stopped: {result.stopped}"
    if result.error:
        return result.error
    notes = []
    if result.failed_entries:
        notes.append(f"{result.failed_entries} entries failed")
    if result.page_errors:
        notes.append(f"{len(result.page_errors)} pages kept the feed's text")
    if result.moved_to:
        notes.append(f"moved to {result.moved_to}")
    return "; ".join(notes)
