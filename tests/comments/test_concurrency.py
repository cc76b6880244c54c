"""Twenty readers posting at the same moment lose no comment and see no server error.

On SQLite the live server is pointed at a file copy of the test database, so
the posts meet the production set-up (WAL, IMMEDIATE transactions, 20 s busy
timeout) rather than the test runner's shared-cache in-memory database, whose
table locks fail at once instead of waiting. Other databases are used as they are.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connections

from newsdesk.comments.models import Comment, ModerationLog
from newsdesk.stories.models import Article

CLIENTS = 20


@contextmanager
def serving_from_file_database(live_server: Any, folder: Path) -> Iterator[Path | None]:
    """Let the live server's request threads use a file copy of an in-memory SQLite test DB."""
    main: Any = connections["default"]
    if main.vendor != "sqlite" or not main.is_in_memory_db():
        yield None
        return
    path = folder / "concurrency.sqlite3"
    main.ensure_connection()
    copy = sqlite3.connect(path)
    main.connection.backup(copy)
    copy.close()
    settings_dict = connections.settings["default"]
    httpd = live_server.thread.httpd
    old_name, old_override = settings_dict["NAME"], httpd.connections_override
    settings_dict["NAME"], httpd.connections_override = str(path), {}
    try:
        yield path
    finally:
        settings_dict["NAME"], httpd.connections_override = old_name, old_override


def stored(path: Path | None) -> tuple[set[str], int]:
    """Return the stored comment bodies and the number of 'post' log rows."""
    if path is None:
        bodies = set(Comment.objects.values_list("body", flat=True))
        return bodies, ModerationLog.objects.filter(action="post").count()
    with sqlite3.connect(path) as db:
        bodies = {row[0] for row in db.execute("SELECT body FROM comments_comment")}
        (logs,) = db.execute(
            "SELECT COUNT(*) FROM comments_moderationlog WHERE action = 'post'"
        ).fetchone()
    return bodies, int(logs)


def post_one(base: str, article: Article, number: int, barrier: threading.Barrier) -> int:
    """Load the page like a browser (own cookies, own CSRF token), wait for all, then post."""
    # A distinct User-Agent gives each client its own visitor hash, as distinct people have.
    headers = {"User-Agent": f"ConcurrentReader/{number}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        page = client.get(article.get_absolute_url()).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        stamp = re.search(r'name="stamp" value="([^"]+)"', page)
        assert token and stamp
        barrier.wait(timeout=60)
        response = client.post(
            f"/comments/post/{article.pk}/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "stamp": stamp.group(1),
                "name": f"Reader {number}",
                "email": f"reader{number}@example.org",
                "body": f"Comment number {number} on the bridge.",
                "website": "",
                "parent": "",
            },
        )
        return response.status_code


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_posts(
    live_server: Any, settings: Any, article: Article, tmp_path: Path
) -> None:
    """All 20 simultaneous posts are stored (each with its log row) and none gets a 5xx."""
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    barrier = threading.Barrier(CLIENTS)
    with (
        serving_from_file_database(live_server, tmp_path) as path,
        ThreadPoolExecutor(max_workers=CLIENTS) as pool,
    ):
        futures = [
            pool.submit(post_one, live_server.url, article, n, barrier) for n in range(CLIENTS)
        ]
        codes = [f.result() for f in futures]
    assert codes == [303] * CLIENTS
    bodies, logs = stored(path)
    assert bodies == {f"Comment number {n} on the bridge." for n in range(CLIENTS)}
    assert logs == CLIENTS
