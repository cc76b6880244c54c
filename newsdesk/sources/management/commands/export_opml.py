"""`newsdesk export-opml [FILE]`: write every source as an OPML subscription list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from newsdesk.sources.models import Source
from newsdesk.sources.opml import export_opml


class Command(BaseCommand):
    help = "Write every source (in its category's folder) as OPML 2.0 to FILE or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="Output file ('-': stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        document = export_opml(Source.objects.select_related("category"))
        if options["file"] == "-":
            sys.stdout.buffer.write(document)
            sys.stdout.flush()
        else:
            Path(options["file"]).write_bytes(document)
            self.stderr.write(f"Wrote {Source.objects.count()} sources to {options['file']}.")
