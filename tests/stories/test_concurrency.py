"""Several stage processes at once: one writer at a time, one story per event, nothing lost.

Real processes run ``understand_new_articles`` against the test database (on
SQLite a file copy of it, with the production settings: WAL, IMMEDIATE
transactions), each placing one small batch per turn, so they take the lease in
turns and each must rebuild its index from what the others wrote.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from newsdesk.stories.models import Article, Story
from tests.stories.helpers import event, store

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RUNNERS = 3
ROUNDS = 2
RUNNER = """
import os, time
import django
django.setup()
from newsdesk.stories.models import Article
from newsdesk.stories.stage import understand_new_articles
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    understand_new_articles(batch_size=2, max_batches=1)
    if not Article.objects.filter(understood_at__isnull=True, status="published").exists():
        break
    time.sleep(0.01)
"""


def database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """Return a URL the runner processes can open, and the SQLite file when one was made."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or "postgres"
        auth = f"{user}:{settings['PASSWORD']}@" if settings["PASSWORD"] else f"{user}@"
        port = settings["PORT"] or 5432
        return f"postgres://{auth}{settings['HOST']}:{port}/{settings['NAME']}", None
    path = tmp_path / "stage.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{path}", path


def run_runners(url: str, tmp_path: Path, redis_url: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "NEWSDESK_DATABASE_URL": url,
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_REDIS_URL": redis_url,
    }
    runners = [
        subprocess.Popen([sys.executable, "-c", RUNNER], cwd=ROOT, env=env) for _ in range(RUNNERS)
    ]
    for runner in runners:
        assert runner.wait(timeout=180) == 0


def placements(path: Path | None) -> list[tuple[int, int | None, int | None]]:
    """Return (article, story, reprint_of) for every article, from where the runners wrote."""
    if path is None:
        return list(Article.objects.order_by("pk").values_list("pk", "story_id", "understood_at"))
    with sqlite3.connect(path) as db:
        return list(
            db.execute("SELECT id, story_id, understood_at FROM stories_article ORDER BY id")
        )


def story_rows(path: Path | None) -> dict[int, int]:
    if path is None:
        return dict(Story.objects.values_list("pk", "article_count"))
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT id, article_count FROM stories_story"))


def redis_for_runners() -> str:
    return os.environ.get("NEWSDESK_TEST_REDIS_URL", "")


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_concurrent_runners_place_each_event_in_one_story(
    tmp_path: Path, round_number: int
) -> None:
    """Three runners, two events: every article placed once, each event in one story."""
    events = {56: [store(a) for a in event(56)[:6]], 59: [store(a) for a in event(59)[:6]]}
    url, path = database_url(tmp_path)
    run_runners(url, tmp_path, redis_for_runners())
    rows = {pk: (story, placed) for pk, story, placed in placements(path)}
    assert all(placed is not None for _, placed in rows.values())
    stories_of = {key: {rows[a.pk][0] for a in articles} for key, articles in events.items()}
    assert all(len(found) == 1 and None not in found for found in stories_of.values())
    assert stories_of[56] != stories_of[59]
    counts = story_rows(path)
    assert set(counts) == stories_of[56] | stories_of[59]
    assert sorted(counts.values()) == [6, 6]
