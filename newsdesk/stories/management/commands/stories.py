"""`newsdesk stories export|eval|understand`: check and drive the Understand stage."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from newsdesk.stories.evalset import SPLITS
from newsdesk.stories.evaluation import evaluate
from newsdesk.stories.export import export_rows
from newsdesk.stories.stage import understand_new_articles


class Command(BaseCommand):
    help = "Export placements as JSON Lines, evaluate on the labelled set, or place new articles."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export", help="One JSON object per stored article.")
        export.add_argument("--output", type=Path, help="Write to a file instead of stdout.")
        evaluation = commands.add_parser("eval", help="Precision and recall on the labelled set.")
        evaluation.add_argument("--split", choices=[*SPLITS, "both"], default="held-back")
        evaluation.add_argument("--output", type=Path, help="Also write the JSON to a file.")
        commands.add_parser("understand", help="Place every article not placed yet, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            self._export(options.get("output"))
        elif action == "eval":
            splits = SPLITS if options["split"] == "both" else (options["split"],)
            window = timedelta(hours=settings.NEWSDESK_STORIES_WINDOW_HOURS)
            text = json.dumps(evaluate(tuple(splits), window), indent=2)
            if options.get("output"):
                options["output"].write_text(text + "\n")
            self.stdout.write(text)
        else:
            placed = 0
            while result := understand_new_articles():
                if not result.placed:
                    break
                placed += result.placed
            self.stdout.write(f"placed {placed} article(s)")

    def _export(self, output: Path | None) -> None:
        if output is None:
            for row in export_rows():
                self.stdout.write(json.dumps(row, ensure_ascii=False))
            return
        with output.open("w", encoding="utf-8") as handle:
            for row in export_rows():
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
