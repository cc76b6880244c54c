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


def start_worker(env: dict[str, str], output: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            env["NEWSDESK_CELERY_QUEUE"],
            "--without-heartbeat",
            "--without-gossip",
        ],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.slow
def test_worker_process_refreshes_queued_sources(
    corpus_server: CorpusServer, tmp_path: Path
) -> None:
    """Sources queued through Redis are fetched and stored by a separate worker process."""
    redis_url = service_url("NEWSDESK_TEST_REDIS_URL", "Redis")
    shutil.copytree(DATA / "feeds", corpus_server.root / "feeds")
    env = {
        **os.environ,
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_DATABASE_URL": "",
        "NEWSDESK_REDIS_URL": redis_url,
        "NEWSDESK_CELERY_QUEUE": f"newsdesk-test-{uuid.uuid4().hex}",
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "NEWSDESK_FETCH_HOST_DELAY": "0",
    }
    newsdesk(env, "migrate", "-v0")
    newsdesk(env, "add-source", corpus_server.url("feeds/tpm.atom"), "--category", "Politics")
    assert "Queued 1 due sources" in newsdesk(env, "crawl", "--queue")
    database = tmp_path / "var" / "newsdesk.sqlite3"
    assert count_articles(database) == 0
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = start_worker(env, output)
    try:
        deadline = time.monotonic() + 60
        while count_articles(database) < 20 and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.5)
        assert count_articles(database) == 20
        assert "Queued 0 due sources" in newsdesk(env, "crawl", "--queue")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
