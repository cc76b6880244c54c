"""`newsdesk import-opml FILE [--category C] [--no-check]`: add the feeds of an OPML list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk.sources.opml import OpmlError, import_opml


class Command(BaseCommand):
    help = (
        "Add every feed of an OPML subscription list as a source and print one line per "
        "feed: added, already present, or the error. Importing twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="OPML file ('-' reads standard input).")
        parser.add_argument("--category", default="", help="Category for feeds in no folder.")
        parser.add_argument(
            "--no-check",
            action="store_true",
            help="Register feeds without fetching them first (the first crawl checks them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            report = import_opml(data, check=not options["no_check"], category=options["category"])
        except (OSError, OpmlError) as error:
            raise CommandError(f"{path}: {error}") from error
        for line in report:
            text = line.describe()
            self.stdout.write(self.style.ERROR(text) if line.outcome == "error" else text)
        added, present, errors = (
            sum(1 for line in report if line.outcome == outcome)
            for outcome in ("added", "present", "error")
        )
        self.stdout.write(f"{added} added, {present} already present, {errors} errors.")
