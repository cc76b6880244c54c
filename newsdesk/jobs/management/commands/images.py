"""`newsdesk images refresh [--source ID] [--all] [--limit N]`: fetch article images again.

Works through the pending articles (stored before images were fetched at
ingest, or marked with ``--all``) in id order, each stored as soon as it is
done: ``--limit`` bounds one run, and a run that stops half-way is resumed by
running the command again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.image_pipeline import (
    mark_for_refresh,
    pending_articles,
    refresh_article_images,
)
from newsdesk.ingest.images import IMAGE_ACCEPT
from newsdesk.ingest.pipeline import fetch
from newsdesk.sources.models import Source
from newsdesk.stories.models import Article


class Command(BaseCommand):
    help = "Fetch the images of stored articles again (those pending, or all with --all)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        refresh = actions.add_parser("refresh", help="Fetch, check and store article images.")
        refresh.add_argument("--source", type=int, help="Only the articles of this source id.")
        refresh.add_argument(
            "--all",
            action="store_true",
            help="Mark every article (of --source) pending first, then work through them.",
        )
        refresh.add_argument(
            "--limit", type=int, default=0, help="Stop after this many articles (0: all)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source_id = options["source"]
        if source_id is not None and not Source.objects.filter(pk=source_id).exists():
            raise CommandError(f"no source with id {source_id}")
        if options["all"]:
            marked = mark_for_refresh(source_id)
            self.stdout.write(f"Marked {marked} articles for an image refresh.")
        pending = pending_articles(source_id)
        batch = pending[: options["limit"]] if options["limit"] > 0 else pending
        done = kept = dropped = 0
        # Ids first: each article is written as it is done, while the list stays put.
        ids = list(batch.values_list("pk", flat=True))
        with Fetcher() as fetcher:
            for article in _in_chunks(ids):
                illustration = refresh_article_images(
                    article, lambda url: fetch(fetcher, url, accept=IMAGE_ACCEPT)
                )
                done += 1
                shown = [*illustration.body, *([illustration.lead] if illustration.lead else [])]
                kept += len({picture.source_url for picture in shown})
                dropped += len(illustration.dropped)
        left = pending_articles(source_id).count()
        self.stdout.write(
            f"Refreshed the images of {done} articles: {kept} kept, {dropped} dropped; "
            f"{left} articles still pending"
            + (" (run the command again to go on)." if left else ".")
        )


def _in_chunks(ids: list[int], size: int = 100) -> Iterator[Article]:
    """Load the articles a hundred at a time, in id order."""
    for start in range(0, len(ids), size):
        yield from Article.objects.filter(pk__in=ids[start : start + size]).order_by("pk")
