"""`newsdesk serve`: gunicorn serving the site and the scheduler beside it, supervised."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from newsdesk.core.https import forwarded_allow_ips
from newsdesk.jobs.server import serve


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn and crawl due sources in a scheduler process beside it "
        "(unless NEWSDESK_SCHEDULER=false); SIGTERM stops both."
    )

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
        connections.close_all()  # the supervisor itself needs no database
        status = serve(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            scheduler=settings.NEWSDESK_SCHEDULER and not options["no_scheduler"],
            forwarded_allow_ips=forwarded_allow_ips(settings.NEWSDESK_TRUSTED_PROXIES),
        )
        if status:
            raise SystemExit(status)
