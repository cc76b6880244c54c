"""`newsdesk add-source URL [--category C] [--name N] [--editor SLUG]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk.ingest.subscribe import SourceError, add_source
from newsdesk.sources.models import Editor


class Command(BaseCommand):
    help = "Add a source from a feed URL or a site URL (its feed is discovered)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--category", default="", help="Category name (created if new).")
        parser.add_argument("--name", default="", help="Display name (default: feed title).")
        parser.add_argument("--editor", default="", help="Slug of the editor in charge.")

    def handle(self, *args: Any, **options: Any) -> None:
        editor = None
        if options["editor"]:
            editor = Editor.objects.filter(slug=options["editor"]).first()
            if editor is None:
                raise CommandError(f"no editor with slug {options['editor']!r}")
        try:
            source = add_source(
                options["url"], category=options["category"], name=options["name"], editor=editor
            )
        except SourceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Added {source.name!r} ({source.feed_url}); it is due now.")
