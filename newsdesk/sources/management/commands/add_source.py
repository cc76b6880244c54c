"""`newsdesk add-source URL [--category C] [--name N] [--editor SLUG] [--language L]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk.ingest.subscribe import SourceError, SourceOptions, add_source
from newsdesk.sources.models import Editor


class Command(BaseCommand):
    help = (
        "Add a source from a feed URL or a site URL (its feed is discovered). "
        "On a URL that is already a source, change only the options given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--category", help="Category name (created if new).")
        parser.add_argument("--name", help="Display name (default: feed title).")
        parser.add_argument("--editor", help="Slug of the editor in charge.")
        parser.add_argument("--language", help="ISO 639-1 code (default: detected).")

    def handle(self, *args: Any, **options: Any) -> None:
        editor = None
        if options["editor"]:
            editor = Editor.objects.filter(slug=options["editor"]).first()
            if editor is None:
                raise CommandError(f"no editor with slug {options['editor']!r}")
        wanted = SourceOptions(
            name=options["name"],
            category=options["category"],
            editor=editor,
            language=options["language"],
        )
        try:
            subscription = add_source(options["url"], wanted)
        except SourceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(subscription.describe())
