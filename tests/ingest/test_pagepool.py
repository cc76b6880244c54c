"""Article pages are extracted in worker processes; a crash or a hang costs one page."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.ingest.assemble import EntryContext
from newsdesk.ingest.errors import ExtractError, WorkerError
from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.pagepool import PagePool, pool_context, start_method
from newsdesk.ingest.types import ParsedEntry
from tests.ingest.workerjobs import misbehave_on_marked_pages, worker_pid

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
PAGE = (ARTICLES / "readability" / "ars-1.html").read_bytes()


@pytest.fixture
def pool() -> Iterator[PagePool]:
    with PagePool(processes=2, timeout=5, job=misbehave_on_marked_pages) as pages:
        yield pages


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has ended all the same.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[1].startswith("Z"))


def test_workers_extract_what_the_crawler_would() -> None:
    """A page extracted in a worker process equals the same page extracted in-process."""
    with PagePool(processes=1) as pages:
        remote = pages.extract(PAGE, url="https://arstechnica.com/x")
    assert remote == extract_article(PAGE, url="https://arstechnica.com/x")


def ars_entry(first_seen: datetime = datetime(2026, 1, 2, tzinfo=UTC)) -> EntryContext:
    return EntryContext(
        ParsedEntry(guid="g", url="https://arstechnica.com/x", title="A title"),
        feed_url="https://arstechnica.com/feed",
        source_language="",
        feed_language="en",
        first_seen=first_seen,
    )


def test_workers_assemble_the_entry_as_the_crawler_would() -> None:
    """Given the entry, a worker sends back the article the crawler would assemble itself."""
    with PagePool(processes=1) as pages:
        remote = pages.extract(PAGE, url="https://arstechnica.com/x", entry=ars_entry())
    local = extract_article(PAGE, url="https://arstechnica.com/x")
    assert remote.article is not None
    assert remote.article == ars_entry().assemble(local)
    assert dataclasses.replace(remote, article=None) == local


def test_an_entry_that_fails_to_assemble_keeps_its_page() -> None:
    """An assembly failure in the worker leaves the page to the crawler, which assembles again."""
    broken = ars_entry(first_seen="not a datetime")  # type: ignore[arg-type]
    with PagePool(processes=1) as pages:
        remote = pages.extract(PAGE, url="https://arstechnica.com/x", entry=broken)
    assert remote.text and remote.article is None


def test_extraction_errors_come_back_as_extract_errors(pool: PagePool) -> None:
    """A page without text fails with ExtractError, as it does in-process, and is no crash."""
    with pytest.raises(ExtractError, match="empty page") as caught:
        pool.extract(b"   ", url="http://127.0.0.1/empty")
    assert not isinstance(caught.value, WorkerError)


@pytest.mark.parametrize("crash", ["crash-segv", "crash-abort", "crash-kill"])
def test_a_crashing_worker_costs_one_page(pool: PagePool, crash: str) -> None:
    """A worker killed mid-page fails that page with the signal's name; the next page works."""
    with pytest.raises(WorkerError, match=r"died \(SIG"):
        pool.extract(PAGE, url=f"http://127.0.0.1/{crash}.html")
    for _ in range(3):
        assert pool.extract(PAGE, url="http://127.0.0.1/fine.html").text


def test_a_hanging_page_is_stopped_at_the_time_limit() -> None:
    """A page that extracts for ever is stopped after NEWSDESK_EXTRACT_TIMEOUT; the pool goes on."""
    with PagePool(processes=1, timeout=1, job=misbehave_on_marked_pages) as pages:
        with pytest.raises(WorkerError, match="longer than 1 s"):
            pages.extract(PAGE, url="http://127.0.0.1/hang.html")
        assert pages.extract(PAGE, url="http://127.0.0.1/fine.html").text


def test_an_idle_worker_killed_from_outside_does_not_break_the_pool() -> None:
    """Killing an idle worker (say, by the OOM killer) leaves later pages working."""
    with PagePool(processes=1, job=worker_pid) as pages:
        pid = int(pages.extract(b"x", url="http://127.0.0.1/a").text)
        os.kill(pid, 9)
        for _ in range(3):
            assert int(pages.extract(b"x", url="http://127.0.0.1/b").text) != pid


def test_workers_are_replaced_after_max_pages() -> None:
    """With NEWSDESK_EXTRACT_MAX_PAGES=2 one worker serves two pages, then a fresh one comes."""
    with PagePool(processes=1, max_pages=2, job=worker_pid) as pages:
        pids = [int(pages.extract(b"x", url="http://127.0.0.1/p").text) for _ in range(6)]
    assert len(set(pids)) == 3
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[4] == pids[5]


def test_workers_are_never_forked_from_the_crawler() -> None:
    """Workers come from a fork server (or spawn), never from a fork of the threaded crawler."""
    assert start_method() in {"forkserver", "spawn"}
    with PagePool(processes=1, job=worker_pid) as pages:
        pid = int(pages.extract(b"x", url="http://127.0.0.1/p").text)
        # The fork server, not this process, is the worker's parent.
        parent = int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1])
        assert parent != os.getpid()


@pytest.mark.parametrize(("assembling", "model"), [(True, True), (False, False)])
def test_the_fork_server_loads_the_language_model_only_for_assembling_workers(
    monkeypatch: pytest.MonkeyPatch, assembling: bool, model: bool
) -> None:
    """Only assembling detects a language: a lone extracting worker's server skips the model."""
    if start_method() != "forkserver":
        pytest.skip("no fork server on this platform")
    preloaded: list[list[str]] = []
    context = pool_context()
    monkeypatch.setattr(context, "set_forkserver_preload", preloaded.append)
    pool_context(assembling=assembling)
    assert "newsdesk.ingest.pagepool" in preloaded[0]
    assert ("newsdesk.ingest.pageworker" in preloaded[0]) is model
    assert PagePool(processes=1).assembles is False and PagePool(processes=2).assembles


def test_closing_the_pool_ends_its_workers() -> None:
    """After close() no worker process is left running."""
    pages = PagePool(processes=2, job=worker_pid)
    pids = {int(pages.extract(b"x", url=f"http://127.0.0.1/{n}").text) for n in range(6)}
    pages.close()
    assert not [pid for pid in pids if alive(pid)]
