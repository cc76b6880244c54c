"""Scale-out: a real Celery worker process refreshes sources queued by `newsdesk crawl --queue`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO

import pytest

from newsdesk.demo.server import CorpusServer
from tests.conftest import service_url

pytestmark = pytest.mark.own_database

DATA = Path(__file__).resolve().parents[1] / "data" / "integration"
BIN = Path(sys.executable).parent


def newsdesk(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "newsdesk"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def count_articles(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("select count(*) from stories_article").fetchone()[0])


def start_worker(
    env: dict[str, str], output: IO[bytes], loglevel: str = "WARNING"
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            f"--loglevel={loglevel}",
            "-Q",
            env["NEWSDESK_CELERY_QUEUE"],
            "--without-heartbeat",
            "--without-gossip",
        ],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def worker_env(tmp_path: Path) -> dict[str, str]:
    """Settings for commands and workers: a file database, Redis, a queue of the test's own."""
    return {
        **os.environ,
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_DATABASE_URL": "",
        "NEWSDESK_REDIS_URL": service_url("NEWSDESK_TEST_REDIS_URL", "Redis"),
        "NEWSDESK_CELERY_QUEUE": f"newsdesk-test-{uuid.uuid4().hex}",
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "NEWSDESK_FETCH_HOST_DELAY": "0",
    }


@pytest.mark.slow
def test_worker_process_refreshes_queued_sources(
    corpus_server: CorpusServer, tmp_path: Path
) -> None:
    """Sources queued through Redis are fetched and stored by a separate worker process."""
    env = worker_env(tmp_path)
    shutil.copytree(DATA / "feeds", corpus_server.root / "feeds")
    newsdesk(env, "migrate", "-v0")
    newsdesk(env, "add-source", corpus_server.url("feeds/tpm.atom"), "--category", "Politics")
    assert "Queued 1 due sources" in newsdesk(env, "crawl", "--queue")
    database = tmp_path / "var" / "newsdesk.sqlite3"
    assert count_articles(database) == 0
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = start_worker(env, output)
    try:
        deadline = time.monotonic() + 120  # a cold worker on a loaded 2-core machine
        while count_articles(database) < 20 and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.5)
        assert count_articles(database) == 20
        assert "Queued 0 due sources" in newsdesk(env, "crawl", "--queue")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


ITEM = """<item><title>{page}</title><link>{base}/{page}</link><guid>{base}/{page}</guid>
<pubDate>Thu, 16 Apr 2015 14:30:00 GMT</pubDate><description>Teaser.</description></item>"""
PAGES = Path(__file__).resolve().parents[1] / "data" / "articles" / "readability"


def summary_feed(base: str, pages: list[str]) -> str:
    items = "".join(ITEM.format(base=base, page=page) for page in pages)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )


@pytest.mark.slow
def test_two_workers_never_have_two_requests_in_flight_to_one_host(
    tmp_path: Path, corpus_server: CorpusServer
) -> None:
    """Two worker processes share one host politely; feeds and pages are tasks of their own.

    The host answers each request after a pause, so two requests in flight at
    once would show in its log; through the throttle shared in Redis the
    workers take turns.
    """
    corpus_server.delay = 0.2
    root = corpus_server.root
    names = ["ars-1.html", "heise.html", "lemonde-1.html", "liberation-1.html"]
    for name in names:
        shutil.copy(PAGES / name, root / name)
    for n in range(4):
        pages = [names[n], names[(n + 1) % 4]]
        (root / f"feed{n}.rss").write_text(summary_feed(corpus_server.base_url, pages))
    env = {**worker_env(tmp_path), "NEWSDESK_EXTRACT_PROCESSES": "1"}
    newsdesk(env, "migrate", "-v0")
    urls = [corpus_server.url(f"feed{n}.rss") for n in range(4)]
    newsdesk(
        env,
        "shell",
        "-c",
        "from newsdesk.sources.models import Source\n"
        f"for n, url in enumerate({urls!r}):\n"
        "    Source.objects.create(name=f'feed {n}', feed_url=url)\n",
    )
    assert "Queued 4 due sources" in newsdesk(env, "crawl", "--queue")
    database = tmp_path / "var" / "newsdesk.sqlite3"
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    workers = []
    for log in logs:
        with log.open("wb") as output:
            workers.append(start_worker(env, output, loglevel="INFO"))
    try:
        deadline = time.monotonic() + 180
        # Each feed's two entries are stored by their page tasks (8 articles in all).
        while count_articles(database) < 8 and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), logs[0].read_text()
            time.sleep(0.5)
        assert count_articles(database) == 8
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    assert corpus_server.max_in_flight == 1
    page_tasks = [log.read_text().count("tasks.store_page[") for log in logs]
    assert sum(page_tasks) >= 8 and all(page_tasks), page_tasks
