"""`newsdesk demo`: serve a populated site from the bundled offline corpus.

A real HTTP server on 127.0.0.1 serves the corpus; the real crawler fetches it
like any source, then the site is served with the in-process scheduler.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.http.request import validate_host
from django.urls import reverse
from django.utils import timezone
from rich.console import Console

from newsdesk.comments.models import Comment
from newsdesk.core.env import write_env_file
from newsdesk.demo import catalog
from newsdesk.demo.console import held_logs, print_held_logs
from newsdesk.demo.discussion import seed_comments
from newsdesk.demo.history import simulate_history
from newsdesk.demo.readers import start_reader_burst
from newsdesk.demo.server import CorpusServer
from newsdesk.hits.models import SiteDaily
from newsdesk.hits.recorder import stop_flusher
from newsdesk.ingest.pagepool import page_pool, shutdown_page_pool
from newsdesk.jobs.management.commands.crawl import crawl_with_progress, print_summary
from newsdesk.jobs.server import serve
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article, Story
from newsdesk.stories.stage import understand_new_articles

CORPUS_PORT = 8001
CRAWL_LOG = (
    "Crawl log: {warnings} warnings, {notes} notes. Expected: the source broken on purpose, "
    "and links to the public web, which the demo never fetches."
)


class Command(BaseCommand):
    help = "Populate the site from the bundled corpus over loopback HTTP, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Populate, then exit.")
        parser.add_argument("--no-readers", action="store_true", help="Skip simulated readers.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout._out))
        site = follow_bind(options["bind"])
        # The extraction workers start up on the other core while this one migrates.
        page_pool().warm()
        call_command("migrate", interactive=False, verbosity=0)
        server = start_corpus_server(
            Path(settings.VAR_DIR) / "corpus", corpus_port(options["bind"])
        )
        console.print(f"Corpus server: {server.base_url} (bundled feeds and pages, loopback only)")
        sources = load_catalog(server)
        console.print(f"Crawling {len(sources)} demo sources over loopback HTTP...")
        with held_logs() as logs:
            results = crawl_with_progress(sources, console)
        print_summary(results, console)
        print_held_logs(logs, console, CRAWL_LOG)
        placed = understand_all()
        reprints = Article.objects.filter(reprint_of__isnull=False).count()
        several = Story.objects.filter(source_count__gt=1).count()
        console.print(
            f"Understood {placed} articles: {several} stories carried by several outlets, "
            f"{reprints} reprints credited to their originals"
        )
        # From here on the scheduler process crawls; this one only supervises.
        shutdown_page_pool()
        password = ensure_admin()
        with held_logs() as logs:
            seed_activity(console, host=request_host(options["bind"]))
        print_held_logs(logs, console)
        env_file = write_env_file(Path(settings.VAR_DIR) / "env", demo_environment())
        console.print(
            f"\n[bold]Newsdesk demo[/bold] at {site}/  —  staff: {site}/admin/ "
            f"(user [bold]admin[/bold], password [bold]{password}[/bold]), "
            f"dashboard {site}/dashboard/, moderation {site}/moderation/\n"
        )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            console.print(
                f"Emails (comment digests, replies) go to files in {settings.EMAIL_FILE_PATH}/"
            )
        console.print(
            f"The demo's settings are in {env_file}: `newsdesk` commands run from this folder "
            "use them (and so this database) when no NEWSDESK_VAR_DIR is set.\n"
        )
        if options["no_serve"]:
            server.stop()
            return
        if not settings.DEBUG:
            # DEBUG is off, as in production: whitenoise serves the collected, hashed files.
            # Only when serving: compressing them is seconds a populate-only run
            # need not spend (`newsdesk serve` collects them at its start too).
            call_command("collectstatic", interactive=False, verbosity=0)

        connections.close_all()

        def send_readers() -> None:
            if not options["no_readers"]:
                start_reader_burst(site)

        # No access log: the console keeps the crawl summary and the demo's messages.
        try:
            status = serve(
                bind=options["bind"],
                workers=1,
                threads=8,
                scheduler=True,
                on_ready=send_readers,
                access_log=False,
            )
        finally:
            server.stop()
        if status:
            raise SystemExit(status)


def follow_bind(bind: str) -> str:
    """Return the site's URL for ``bind`` and make it NEWSDESK_SITE_URL, unless one was set.

    The web and scheduler processes inherit the environment, so feeds, sitemaps
    and emails name the address the demo actually serves.
    """
    site = f"http://{bind}"
    if "NEWSDESK_SITE_URL" not in os.environ:
        os.environ["NEWSDESK_SITE_URL"] = site
        settings.NEWSDESK_SITE_URL = site
    return str(settings.NEWSDESK_SITE_URL).rstrip("/")


def request_host(bind: str) -> str:
    """Return the Host of simulated requests: the bound address, when the site answers to it."""
    host = bind.rpartition(":")[0].lower()
    return bind if validate_host(host, settings.ALLOWED_HOSTS) else "127.0.0.1"


def corpus_port(bind: str) -> int:
    """Serve the corpus on the port after the site's (8001 beside 8000)."""
    try:
        return int(bind.rpartition(":")[2]) + 1
    except ValueError:
        return CORPUS_PORT


def demo_environment() -> dict[str, str]:
    """Return the NEWSDESK_ settings the demo runs with, the var folder made absolute."""
    values = {name: value for name, value in os.environ.items() if name.startswith("NEWSDESK_")}
    values["NEWSDESK_VAR_DIR"] = str(settings.VAR_DIR)
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        values["NEWSDESK_EMAIL_FILE_PATH"] = str(settings.EMAIL_FILE_PATH)
    return values


def seed_activity(console: Console, host: str) -> None:
    """Give moderation, Recent Comments and the dashboard something to show (once per database)."""
    now = timezone.now()
    if not Article.objects.published().exists():
        # The crawl stored nothing (its summary says why): no one to comment or read.
        console.print("Demo: no articles stored, so no simulated comments or readers.")
        return
    if not Comment.objects.exists():
        # Readers discuss the originals, not a republisher's copies.
        originals = Article.objects.published().filter(reprint_of__isnull=True)
        articles = list(originals.order_by("-published_at")[:3])
        moderator = get_user_model().objects.get(username="admin")
        seeded = seed_comments(articles, moderator, host, now)
        console.print(
            f"Demo: posted {seeded.approved + seeded.pending + seeded.spam} simulated comments "
            f"through the comment guards ({seeded.approved} approved by the admin or trusted, "
            f"{seeded.pending} waiting in the moderation queue, {seeded.spam} filed as spam)."
        )
    if not SiteDaily.objects.filter(day__lt=now.date()).exists():
        history = simulate_history(host, *demo_paths(), now)
        stop_flusher()
        console.print(
            f"Demo: recorded a simulated week of readers through the hit tracker: "
            f"{history.readers} simulated visitors, {history.views} page views over "
            f"{history.days} days, and {history.bots} crawler requests (filtered, not counted)."
        )


def demo_paths() -> tuple[list[str], list[str]]:
    """Return the article paths and the listing paths simulated readers visit."""
    articles = Article.objects.published().order_by("-published_at")[:40]
    lists = [reverse("site:home"), reverse("site:home"), reverse("site:latest")]
    lists += [category.get_absolute_url() for category in Category.objects.all()]
    return [article.get_absolute_url() for article in articles], lists


def understand_all() -> int:
    """Place every crawled article now, so the first page already shows stories."""
    placed = 0
    while result := understand_new_articles().placed:
        placed += result
    return placed


def start_corpus_server(root: Path, port: int = CORPUS_PORT) -> CorpusServer:
    """Serve the rendered corpus on a fixed port when free, so stored URLs stay valid."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        server = CorpusServer(root, port=port)
    except OSError:
        server = CorpusServer(root, port=0)
    catalog.render_corpus(server.base_url, root)
    return server.start()


def load_catalog(server: CorpusServer) -> list[Source]:
    """Create the demo's categories, editors and sources (again on each run, idempotently)."""
    categories = {
        slug: Category.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})[
            0
        ]
        for name, slug, order in catalog.CATEGORIES
    }
    editors = {item.slug: ensure_editor(item) for item in catalog.EDITORS}
    sources = []
    for item in catalog.SOURCES:
        source, _ = Source.objects.update_or_create(
            name=item.name,
            defaults={
                "feed_url": catalog.source_url(server.base_url, item),
                "category": categories[item.category],
                "editor": editors[item.editor_slug],
                "language": item.language,
                "fetch_interval": timedelta(minutes=settings.NEWSDESK_FETCH_INTERVAL),
                "next_fetch_at": timezone.now(),
            },
        )
        sources.append(source)
    return sources


def ensure_editor(item: catalog.DemoEditor) -> Editor:
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=item.slug, defaults={"email": f"{item.slug}@localhost", "is_staff": True}
    )
    editor, _ = Editor.objects.update_or_create(
        slug=item.slug, defaults={"display_name": item.name, "bio": item.bio, "user": user}
    )
    return editor


def ensure_admin() -> str:
    """Create the demo's superuser once; its password is kept in the var folder."""
    path = Path(settings.VAR_DIR) / "demo-admin-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
    password = path.read_text().strip()
    user_model = get_user_model()
    user = user_model.objects.filter(username="admin").first() or user_model(username="admin")
    user.is_staff = user.is_superuser = True
    user.email = "admin@localhost"
    user.set_password(password)
    user.save()
    return password
