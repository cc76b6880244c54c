"""`newsdesk serve`: gunicorn serving the site, with the in-process scheduler."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from newsdesk.core.https import forwarded_allow_ips
from newsdesk.jobs.server import serve


class Command(BaseCommand):
    help = "Serve the site with gunicorn; crawl due sources in the background unless disabled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        serve(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            scheduler=settings.NEWSDESK_SCHEDULER and not options["no_scheduler"],
            forwarded_allow_ips=forwarded_allow_ips(settings.NEWSDESK_TRUSTED_PROXIES),
        )
