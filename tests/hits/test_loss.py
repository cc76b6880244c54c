"""Loss test: a real server stopped by SIGTERM mid-burst stores exactly the views it served."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.hits import agents
from tests.processes import clean_environ, free_port, manage

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 300
CLIENTS = 8
STOP_AFTER = REQUESTS // 2
SETUP = """
from django.utils import timezone
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article
now = timezone.now()
world = Category.objects.create(name="World", slug="world")
ada = Editor.objects.create(display_name="Ada Byron", slug="ada")
wire = Source.objects.create(
    name="Wire", feed_url="http://127.0.0.1/w.xml", category=world, editor=ada
)
for i in range(3):
    a = Article.objects.create(
        source=wire, guid=str(i), url=f"http://127.0.0.1/{i}", slug=f"story-{i}",
        title=f"Story {i}", body_html="<p>Text.</p>", published_at=now, first_seen_at=now,
    )
    print(a.get_absolute_url())
"""

pytestmark = [pytest.mark.slow, pytest.mark.own_database]


@dataclass(frozen=True)
class Outcome:
    human: bool
    status: int | None  # None: no answer (refused or cut off)
    cached: bool = False  # answered from the page cache (X-Page-Cache: hit)


def _environ(var_dir: Path) -> dict[str, str]:
    return clean_environ(
        DJANGO_SETTINGS_MODULE="config.settings",
        NEWSDESK_VAR_DIR=str(var_dir),
        NEWSDESK_DEBUG="false",
        NEWSDESK_ALLOWED_HOSTS="127.0.0.1",
        NEWSDESK_SECRET_KEY="loss-test-only",
        NEWSDESK_SCHEDULER="false",
        NEWSDESK_HITS_FLUSH_SECONDS="1",
    )


def _manage(env: dict[str, str], *args: str) -> str:
    return manage(env, *args).stdout


def _server_command(kind: str, port: int) -> list[str]:
    if kind == "gunicorn":
        return [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2"),
            *("--worker-class", "gthread", "--threads", "2", "--graceful-timeout", "10"),
        ]
    return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[dict[str, str], list[str]]]:
    """A migrated SQLite site with three articles, in its own folder."""
    env = _environ(tmp_path)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    output = _manage(env, "shell", "-c", SETUP).split()
    articles = [word for word in output if word.startswith("/article/")]
    assert len(articles) == 3
    yield env, articles


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "server died on start"
        try:
            # robots.txt is not a countable page: readiness checks add no views.
            if httpx.get(f"{base}/robots.txt", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("server did not start within 30 s")


def _plan(articles: list[str]) -> list[tuple[str, str, bool]]:
    """REQUESTS page requests: four in five from browsers, the rest from crawlers."""
    rng = random.Random(3)
    pages = [*articles, "/", "/latest/", "/category/world/", "/editor/ada/", "/search/?q=story"]
    plan = []
    for i in range(REQUESTS):
        human = i % 5 != 0
        agent = rng.choice(agents.BROWSERS if human else agents.CRAWLERS)
        plan.append((rng.choice(pages), agent, human))
    return plan


def _burst(base: str, plan: list[tuple[str, str, bool]], halfway: threading.Event) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    queue = iter(plan)

    def client() -> None:
        with httpx.Client(base_url=base, timeout=15) as http:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    return
                path, agent, human = item
                cached = False
                try:
                    response = http.get(path, headers={"User-Agent": agent})
                    status: int | None = response.status_code
                    cached = response.headers.get("X-Page-Cache") == "hit"
                except httpx.TransportError:
                    status = None
                with lock:
                    outcomes.append(Outcome(human, status, cached))
                    if len(outcomes) == STOP_AFTER:
                        halfway.set()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _stored(var_dir: str) -> tuple[int, int, int]:
    with sqlite3.connect(Path(var_dir) / "newsdesk.sqlite3") as db:
        views = db.execute("SELECT COUNT(*) FROM hits_pageview").fetchone()[0]
        filtered = db.execute("SELECT COALESCE(SUM(requests), 0) FROM hits_filtereddaily")
        counter = db.execute("SELECT COALESCE(SUM(views), 0) FROM hits_sitecounter")
        return int(views), int(filtered.fetchone()[0]), int(counter.fetchone()[0])


@pytest.mark.parametrize("kind", ["gunicorn", "runserver"])
def test_sigterm_mid_burst_loses_no_served_view(
    site: tuple[dict[str, str], list[str]], kind: str
) -> None:
    """Stored views equal the human pages answered 200 (cached or not), though the server stops."""
    env, articles = site
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        _server_command(kind, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(base, process)
        halfway = threading.Event()

        def stop_halfway() -> None:
            if halfway.wait(60):
                process.send_signal(signal.SIGTERM)

        stopper = threading.Thread(target=stop_halfway)
        stopper.start()
        outcomes = _burst(base, _plan(articles), halfway)
        stopper.join(timeout=60)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    served_humans = sum(1 for o in outcomes if o.human and o.status == 200)
    served_robots = sum(1 for o in outcomes if not o.human and o.status == 200)
    unanswered = sum(1 for o in outcomes if o.status is None)
    assert len(outcomes) == REQUESTS
    assert served_humans >= STOP_AFTER * 0.6, "too few views served to mean anything"
    assert unanswered > 0, "the server was not stopped mid-burst"
    assert {o.status for o in outcomes} <= {200, None}
    # The page cache is on (the default): many of the views counted were answered by it.
    assert sum(1 for o in outcomes if o.human and o.cached) > served_humans // 4
    # Raw views, filtered robots and the all-time counter all match what was served.
    assert _stored(env["NEWSDESK_VAR_DIR"]) == (served_humans, served_robots, served_humans)
