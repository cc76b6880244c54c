"""`newsdesk extract eval [--corpus PATH] [--part dev|held-back|all] [--json PATH] [--losses N]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk.ingest.evaluation.command import DEFAULT_CORPUS, describe, run_eval, write_json


class Command(BaseCommand):
    help = (
        "Compare Newsdesk's article extraction with bare trafilatura and readability-lxml on a"
        " saved-page corpus; print the table and write JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("eval", help="Score extraction on a corpus.")
        evaluate.add_argument(
            "--corpus",
            type=Path,
            default=DEFAULT_CORPUS,
            help="Folder of <origin>/<page>.html with <origin>/expected.json"
            " (default: the held-back pages shipped in tests/data/extraction/articles).",
        )
        evaluate.add_argument("--part", choices=["held-back", "dev", "all"], default="held-back")
        evaluate.add_argument(
            "--json",
            type=Path,
            default=Path("var/extraction-eval.json"),
            help="Where to write JSON.",
        )
        evaluate.add_argument(
            "--no-templates", action="store_true", help="Skip the template-learning measurement."
        )
        evaluate.add_argument(
            "--losses",
            type=int,
            default=0,
            metavar="N",
            help="Also list the N pages where Newsdesk trails the best single tool most"
            " (for tuning on the development part).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import readability  # noqa: F401
        except ImportError as error:
            raise CommandError(
                "readability-lxml is a bench dependency: pip install -e '.[bench]'"
            ) from error
        corpus: Path = options["corpus"]
        if not corpus.is_dir():
            raise CommandError(f"no corpus folder at {corpus}")
        try:
            result = run_eval(corpus, options["part"], templates=not options["no_templates"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        write_json(result, options["json"])
        self.stdout.write(describe(result, options["losses"]))
        self.stdout.write(f"\nJSON: {options['json']}")
