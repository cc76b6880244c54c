"""`newsdesk serve` runs gunicorn and the scheduler as supervised processes (real processes)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer

pytestmark = pytest.mark.own_database

BIN = Path(sys.executable).parent
DATA = Path(__file__).resolve().parents[1] / "data"
FORKSERVER = "multiprocessing.forkserver"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid``, from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.fixture
def served(
    tmp_path: Path, corpus_server: CorpusServer
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`newsdesk serve` on a free port, with one summary-only source for its scheduler to crawl.

    Killed (with all its descendants) if a test fails.
    """
    port = free_port()
    env = {
        **os.environ,
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_DATABASE_URL": "",
        "NEWSDESK_DEBUG": "true",
        "NEWSDESK_HITS_ENABLED": "false",
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "NEWSDESK_FETCH_HOST_DELAY": "0",
    }
    (corpus_server.root / "pages").mkdir()
    shutil.copy(DATA / "articles" / "readability" / "ars-1.html", corpus_server.root / "pages")
    feed = (DATA / "integration" / "feeds" / "summary.rss").read_text()
    (corpus_server.root / "wire.rss").write_text(
        feed.replace("{{BASE_URL}}", corpus_server.base_url)
    )
    subprocess.run([str(BIN / "newsdesk"), "migrate", "-v0"], env=env, check=True)
    create = (
        "from newsdesk.sources.models import Source\n"
        f"Source.objects.create(name='Wire', feed_url={corpus_server.url('wire.rss')!r})"
    )
    subprocess.run([str(BIN / "newsdesk"), "shell", "-c", create], env=env, check=True)
    process = subprocess.Popen(
        [str(BIN / "newsdesk"), "serve", "--bind", f"127.0.0.1:{port}", "--no-migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(answers, timeout=120)
        yield process, url
    finally:
        for pid in [*children_of(process.pid), process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def scheduler_pids(supervisor: int) -> list[int]:
    return [pid for pid in children_of(supervisor) if "newsdesk.cli scheduler" in command_line(pid)]


@pytest.mark.slow
def test_sigterm_stops_gunicorn_and_the_scheduler(
    served: tuple[subprocess.Popen[bytes], str],
) -> None:
    """SIGTERM to `newsdesk serve` ends gunicorn, its workers and the scheduler: no orphans.

    The scheduler has crawled a summary-only feed by then, so its fork server
    and extraction workers are among the processes that must end too.
    """
    process, _url = served

    def extraction_workers() -> list[int]:
        return [p for p in children_of(process.pid) if FORKSERVER in command_line(p)]

    wait_for(lambda: len(extraction_workers()) >= 2)
    descendants = children_of(process.pid)
    commands = [command_line(pid) for pid in descendants]
    assert sum("gunicorn" in c for c in commands) == 2  # master and one worker
    assert sum("newsdesk.cli scheduler" in c for c in commands) == 1

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 0
    wait_for(lambda: not [pid for pid in descendants if alive(pid)], timeout=20)


@pytest.mark.slow
def test_a_crashed_scheduler_is_restarted(served: tuple[subprocess.Popen[bytes], str]) -> None:
    """A scheduler killed by a signal comes back; the site keeps answering meanwhile."""
    process, url = served
    wait_for(lambda: scheduler_pids(process.pid))
    [first] = scheduler_pids(process.pid)

    os.kill(first, signal.SIGKILL)

    wait_for(lambda: scheduler_pids(process.pid) not in ([], [first]), timeout=30)
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
    assert process.poll() is None
