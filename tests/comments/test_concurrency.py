"""Posts racing each other against a live server: none lost, no duplicate, no stamp used twice.

On SQLite the live server is pointed at a file copy of the test database, so
the posts meet the production set-up (WAL, IMMEDIATE transactions, 20 s busy
timeout) rather than the test runner's shared-cache in-memory database, whose
table locks fail at once instead of waiting. Other databases are used as they are.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connections

from newsdesk.comments import guard
from newsdesk.comments.models import Comment, ModerationLog
from newsdesk.stories.models import Article

CLIENTS = 20
RACERS = 10
ROUNDS = 3


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


def stored(path: Path | None) -> tuple[list[str], int]:
    """Return the stored comment bodies and the number of 'post' log rows."""
    if path is None:
        bodies = list(Comment.objects.values_list("body", flat=True))
        return bodies, ModerationLog.objects.filter(action="post").count()
    with sqlite3.connect(path) as db:
        bodies = [row[0] for row in db.execute("SELECT body FROM comments_comment")]
        (logs,) = db.execute(
            "SELECT COUNT(*) FROM comments_moderationlog WHERE action = 'post'"
        ).fetchone()
    return bodies, int(logs)


@dataclass
class Reader:
    """One reader's browser: their address (told by the trusted proxy) and their cookies."""

    base: str
    address: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        headers = {"X-Forwarded-For": self.address, "User-Agent": "Mozilla/5.0 Firefox/128.0"}
        self.client = httpx.Client(base_url=self.base, headers=headers, timeout=60)

    def start_writing(self, article: Article) -> tuple[str, str]:
        """Fetch a stamp and CSRF token, as the form's script does when the reader types."""
        data = self.client.get(f"/comments/stamp/{article.pk}/").json()
        return data["stamp"], data["csrf"]

    def post(self, article: Article, stamp: str, token: str, body: str) -> int:
        form = {
            "csrfmiddlewaretoken": token,
            "stamp": stamp,
            "name": f"Reader at {self.address}",
            "email": "",
            "body": body,
            "website": "",
            "parent": "",
        }
        return self.client.post(f"/comments/post/{article.pk}/", data=form).status_code


def race(posts: list[Callable[[], int]]) -> list[int]:
    """Run the posts at the same moment (a barrier releases them together)."""
    barrier = threading.Barrier(len(posts))

    def go(post: Callable[[], int]) -> int:
        barrier.wait(timeout=60)
        return post()

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        return list(pool.map(go, posts))


@pytest.fixture
def reader_at(settings: Any, live_server: Any) -> Iterator[Callable[[str], Reader]]:
    """The live server trusts 127.0.0.1 as its proxy, so each reader has their own address.

    Yields a factory of readers; their connections are closed at the end.
    """
    settings.NEWSDESK_COMMENTS_MIN_SECONDS = 0
    settings.NEWSDESK_COMMENTS_POLICY = "approve_all"
    settings.NEWSDESK_TRUSTED_PROXIES = ["127.0.0.1"]
    made: list[Reader] = []

    def reader(address: str) -> Reader:
        made.append(Reader(live_server.url, address))
        return made[-1]

    yield reader
    for one in made:
        one.client.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_posts(
    live_server: Any, reader_at: Callable[[str], Reader], article: Article, tmp_path: Path
) -> None:
    """All 20 simultaneous posts of 20 readers are stored (each with its log row); no 5xx."""
    with serving_from_file_database(live_server, tmp_path) as path:
        readers = [reader_at(f"198.51.100.{n + 1}") for n in range(CLIENTS)]
        posts = []
        for n, reader in enumerate(readers):
            stamp, token = reader.start_writing(article)
            body = f"Comment number {n} on the bridge."
            posts.append(partial(reader.post, article, stamp, token, body))
        codes = race(posts)
    assert codes == [303] * CLIENTS
    bodies, logs = stored(path)
    assert sorted(bodies) == sorted(f"Comment number {n} on the bridge." for n in range(CLIENTS))
    assert logs == CLIENTS


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ten_identical_posts_at_once_store_one(
    live_server: Any, reader_at: Callable[[str], Reader], article: Article, tmp_path: Path
) -> None:
    """Ten readers sending the same text at the same moment store it once; nine get a 400.

    The guard cannot see a twin that is not stored yet; the database constraint can.
    Repeated for several rounds, since a race may hide in one.
    """
    with serving_from_file_database(live_server, tmp_path) as path:
        for round_number in range(ROUNDS):
            readers = [reader_at(f"203.0.{round_number}.{n + 1}") for n in range(RACERS)]
            text = f"Same words, round {round_number}."
            posts = []
            for reader in readers:
                stamp, token = reader.start_writing(article)
                posts.append(partial(reader.post, article, stamp, token, text))
            codes = race(posts)
            assert sorted(codes) == [303] + [400] * (RACERS - 1), codes
        bodies, logs = stored(path)
    assert sorted(bodies) == sorted(f"Same words, round {r}." for r in range(ROUNDS))
    assert logs == ROUNDS


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_stamp_sent_ten_times_at_once_posts_once(
    live_server: Any,
    reader_at: Callable[[str], Reader],
    article: Article,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A script replaying one stamp ten times in parallel (new text each time) gets one comment.

    The rate limit is lifted here so that only the stamp stands in the way.
    """
    monkeypatch.setattr(guard, "RATE_LIMITS", ((60, 1000),))
    with serving_from_file_database(live_server, tmp_path) as path:
        for round_number in range(ROUNDS):
            reader = reader_at(f"192.0.2.{round_number + 1}")
            stamp, token = reader.start_writing(article)
            posts = [
                partial(reader.post, article, stamp, token, f"Replay {round_number}.{n}")
                for n in range(RACERS)
            ]
            codes = race(posts)
            assert sorted(codes) == [303] + [400] * (RACERS - 1), codes
        bodies, logs = stored(path)
    assert len(bodies) == ROUNDS and logs == ROUNDS
