"""Crawl bench: the full pipeline against bare trafilatura, the 304 poll, crawler memory.

A loopback fixture web (bench/fixture_web.py: ``--sources`` feeds on
``--hosts`` addresses of 127.0.0.0/8, each feed's ``--items`` entries linking to
real article pages) runs in its own process beside the crawler, on the same
cores. Each round, in fresh processes and alternating:

- ``bare``: trafilatura's ``bare_extraction`` on the same page sequence the
  crawl extracts, one after another in one process (pages/s);
- ``pipeline --processes 1`` and ``--processes 0`` (one per CPU): a cold
  ``crawl()`` of every source into a fresh SQLite database (articles/s, pool
  start-up included), then a second poll of all sources, now all 304.

Reported: the medians of the per-round ratios pipeline/bare, the second poll's
seconds, and the crawler's peak memory (PSS of the crawler and its fork server
and extraction workers, sampled every 0.5 s, plus the main process's peak RSS).
Host delay is 0: the fixture hosts are loopback, and politeness pauses would
measure the pause, not the crawler.

    python -m bench.crawl --sources 1000 --items 2 --hosts 100 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, run_child
from bench.fixture_web import corpus_pages, host_address, page_index

TARGETS = {"ratio_one_process": 0.85, "ratio_default_pool": 1.6, "poll_seconds": 10.0}
MEMORY_TARGET_MB = 400


def extract_options() -> dict[str, Any]:
    """The trafilatura options Newsdesk's extract stage uses."""
    return {
        "with_metadata": True,
        "include_comments": False,
        "include_formatting": True,
        "include_links": True,
        "include_images": True,
        "include_tables": True,
    }


def page_sequence(sources: int, items: int) -> list[bytes]:
    """The pages a crawl of the fixture web extracts, in source order."""
    pages = [path.read_bytes() for path in corpus_pages()]
    return [
        pages[page_index(n, k, items, len(pages))] for n in range(sources) for k in range(items)
    ]


def run_bare(args: argparse.Namespace) -> dict[str, Any]:
    from trafilatura import bare_extraction

    pages = page_sequence(args.sources, args.items)
    options = extract_options()
    began, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        bare_extraction(page, url="http://127.0.1.1/page.html", **options)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "pages": len(pages),
        "seconds": round(seconds, 3),
        "pages_per_second": len(pages) / seconds,
        "cpu_ms_per_page": round(cpu / len(pages) * 1000, 1),
    }


class MemorySampler:
    """Sample the memory of this process and its descendants until stopped."""

    def __init__(self) -> None:
        self.peak_tree_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            total = sum(_pss_kb(pid) for pid in [os.getpid(), *_descendants(os.getpid())])
            self.peak_tree_pss_kb = max(self.peak_tree_pss_kb, total)


def _descendants(pid: int) -> list[int]:
    """Descendants of ``pid`` through /proc/PID/task/TID/children (no scan of every process)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for children in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(child) for child in children.read_text().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def tree_cpu_seconds() -> float:
    """CPU time of this process and its descendants, ended ones included (via their parents)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in [os.getpid(), *_descendants(os.getpid())]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        except OSError:
            continue
        # utime, stime, and cutime, cstime of children already reaped (recycled workers).
        total += sum(int(value) for value in fields[11:15])
    return total / ticks


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_pipeline(args: argparse.Namespace) -> dict[str, Any]:
    import resource

    from bench.common import setup_django

    workdir = tempfile.mkdtemp(prefix="newsdesk-bench-crawl-")
    try:
        setup_django(f"sqlite:///{workdir}/bench.sqlite3", workdir)
        from django.db.models import Count
        from django.utils import timezone

        from newsdesk.ingest.crawler import crawl
        from newsdesk.ingest.pagepool import default_processes, shutdown_page_pool
        from newsdesk.ingest.schedule import due_sources
        from newsdesk.sources.models import Source
        from newsdesk.stories.models import Article

        Source.objects.bulk_create(
            Source(
                name=f"Fixture {n}",
                feed_url=f"http://{host_address(n % args.hosts)}:{args.port}/feed/{n}.rss",
            )
            for n in range(args.sources)
        )
        with MemorySampler() as memory:
            cpu_before = tree_cpu_seconds()
            began = time.perf_counter()
            cold = crawl(due_sources())
            cold_seconds = time.perf_counter() - began
            cold_cpu = tree_cpu_seconds() - cpu_before
            articles = Article.objects.count()
            Source.objects.update(next_fetch_at=timezone.now())
            began = time.perf_counter()
            again = crawl(due_sources())
            poll_seconds = time.perf_counter() - began
        statuses = {r.status for r in again}
        with_full_text = Article.objects.exclude(body_text__startswith="Teaser of").count()
        processes = default_processes()
        shutdown_page_pool()
        return {
            "extraction_processes": processes,
            "sources": len(cold),
            "failed_sources": sum(1 for r in cold if not r.ok),
            "articles": articles,
            "articles_with_page_text": with_full_text,
            "page_errors": sum(len(r.page_errors) for r in cold),
            "seconds": round(cold_seconds, 3),
            "articles_per_second": articles / cold_seconds,
            "cpu_seconds": round(cold_cpu, 3),
            "cpu_ms_per_article": round(cold_cpu / max(articles, 1) * 1000, 1),
            "cold_crawl_sources_per_second": len(cold) / cold_seconds,
            "second_poll_seconds": round(poll_seconds, 3),
            "second_poll_statuses": sorted(statuses),
            "peak_tree_pss_mb": round(memory.peak_tree_pss_kb / 1024, 1),
            "peak_main_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "sources_by_status": dict(
                Source.objects.values_list("last_status").annotate(n=Count("pk")).order_by()
            ),
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def child_env(args: argparse.Namespace, processes: int) -> dict[str, str]:
    hosts = ",".join(host_address(n) for n in range(args.hosts))
    return {
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": hosts,
        "NEWSDESK_FETCH_HOST_DELAY": "0",
        "NEWSDESK_EXTRACT_PROCESSES": str(processes),
        "NEWSDESK_REDIS_URL": "",
    }


def fixture_args(args: argparse.Namespace) -> list[str]:
    return ["--hosts", str(args.hosts), "--items", str(args.items)]


def start_fixture_web(args: argparse.Namespace) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.fixture_web", *fixture_args(args)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def bench(args: argparse.Namespace) -> dict[str, Any]:
    """Run the alternating rounds and summarise them (medians of per-round ratios)."""
    server, port = start_fixture_web(args)
    common = ["--sources", str(args.sources), "--items", str(args.items)]
    common += ["--hosts", str(args.hosts), "--port", str(port)]
    rounds: list[dict[str, Any]] = []
    try:
        for _ in range(args.rounds):
            # With --items 0 the feeds link nowhere: only the poll and memory are measured.
            bare = run_child("bench.crawl", ["bare", *common]) if args.items else {}
            one = run_child("bench.crawl", ["pipeline", *common], env=child_env(args, 1))
            pool = run_child("bench.crawl", ["pipeline", *common], env=child_env(args, 0))
            rounds.append({"bare": bare, "one_process": one, "default_pool": pool})
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    return summarise(args, rounds)


def summarise(args: argparse.Namespace, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    def median_ratio(mode: str) -> float | None:
        if not args.items:
            return None
        return round(
            statistics.median(
                r[mode]["articles_per_second"] / r["bare"]["pages_per_second"] for r in rounds
            ),
            3,
        )

    polls = [
        r[mode]["second_poll_seconds"] for r in rounds for mode in ("one_process", "default_pool")
    ]
    memory = max(
        r[mode]["peak_tree_pss_mb"] for r in rounds for mode in ("one_process", "default_pool")
    )
    summary = {
        "setup": {
            "sources": args.sources,
            "items_per_feed": args.items,
            "hosts": args.hosts,
            "rounds": args.rounds,
            "cpus": os.cpu_count(),
            "fixture_web": "one asyncio process on the same cores as the crawler (loopback)",
            "host_delay_seconds": 0,
            "database": "SQLite, a fresh file per pipeline run",
        },
        "ratio_one_process": median_ratio("one_process"),
        "ratio_default_pool": median_ratio("default_pool"),
        "bare_pages_per_second": round(
            statistics.median(r["bare"].get("pages_per_second", 0) for r in rounds), 2
        ),
        "pipeline_articles_per_second": {
            mode: round(statistics.median(r[mode]["articles_per_second"] for r in rounds), 2)
            for mode in ("one_process", "default_pool")
        },
        "second_poll_seconds_median": round(statistics.median(polls), 3),
        # Load-independent view: CPU per article (crawler, fork server and workers) and
        # per page for bare trafilatura. Wall-time ratios suffer when others share the cores.
        "cpu_ms": {
            "bare_per_page": statistics.median(r["bare"].get("cpu_ms_per_page", 0) for r in rounds),
            **{
                f"{mode}_per_article": statistics.median(
                    r[mode]["cpu_ms_per_article"] for r in rounds
                )
                for mode in ("one_process", "default_pool")
            },
        },
        "load_average_after": os.getloadavg(),
        "peak_memory_mb": memory,
        "targets": {**TARGETS, "peak_memory_mb": MEMORY_TARGET_MB},
        "rounds_detail": rounds,
    }
    ratios = {key: summary[key] for key in ("ratio_one_process", "ratio_default_pool")}
    summary["meets_targets"] = {
        **{key: value is not None and value >= TARGETS[key] for key, value in ratios.items()},
        "second_poll": summary["second_poll_seconds_median"] < TARGETS["poll_seconds"],
        "peak_memory": memory < MEMORY_TARGET_MB,
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["bare", "pipeline"], help="(internal)")
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--items", type=int, default=2)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "bare":
        print(json.dumps(run_bare(args)))
    elif args.mode == "pipeline":
        print(json.dumps(run_pipeline(args)))
    else:
        print(json.dumps(bench(args)))


if __name__ == "__main__":
    main()
