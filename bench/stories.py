"""Understand stage throughput and memory: articles placed per second, peak RSS.

Builds a synthetic stream from the evaluation corpus's sentences: events of 1 to
6 reports by different outlets within hours (a fifth of reports are copies of an
earlier one with a line of boilerplate), arriving at ``--per-day`` articles a day.
Chunks of articles are stored (untimed, as ingest would) and the real stage
(`understand_new_articles`, batches of 500; SQLite unless ``--db`` names an empty
database) places them (timed). Peak RSS is this process's high-water mark (``ru_maxrss``).

    python -m bench.stories --articles 50000 --per-day 20000
    python -m bench.stories --latency 5     # stored -> in its story, scheduler running
    createdb -h 127.0.0.1 -U postgres bench_stories
    python -m bench.stories --articles 10000 --db postgres://postgres@127.0.0.1:5432/bench_stories

``--latency`` measures the other figure: with the scheduler thread of `newsdesk
serve` running the stage job (every 5 s), how long after an article is stored
it is in its story.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import setup_django

CHUNK = 5000


def sentence_pool() -> list[str]:
    from newsdesk.stories.evalset import load_corpus

    pool = []
    for article in load_corpus():
        for paragraph in article.text.split("\n"):
            pool += [s.strip() + "." for s in paragraph.split(". ") if len(s.split()) >= 6]
    return pool


class Stream:
    """Synthetic articles: events reported by several outlets, some copied word for word."""

    def __init__(self, per_day: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.pool = sentence_pool()
        self.step = timedelta(days=1) / per_day
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)
        self.open_events: list[dict[str, Any]] = []
        self.number = 0

    def next(self) -> dict[str, Any]:
        self.number += 1
        self.clock += self.step
        rng = self.rng
        if self.open_events and rng.random() < 0.5:
            event = rng.choice(self.open_events)
        else:
            event = {
                "title": " ".join(rng.choice(self.pool).split()[:9]),
                "core": rng.sample(self.pool, 10),
                "reports": [],
                "left": rng.randint(1, 6),
            }
            self.open_events.append(event)
        event["left"] -= 1
        if event["left"] <= 0:
            self.open_events.remove(event)
        if event["reports"] and rng.random() < 0.2:
            text = "Republished with permission.\n" + rng.choice(event["reports"])
        else:
            core = rng.sample(event["core"], 7)
            extra = rng.sample(self.pool, 6)
            text = "\n".join(" ".join(core[i : i + 2] + extra[i : i + 1]) for i in range(0, 7, 2))
        event["reports"].append(text)
        return {
            "title": event["title"] + rng.choice(["", " - update", " (report)"]),
            "body_text": text,
            "published_at": self.clock,
            "first_seen_at": self.clock + timedelta(minutes=5),
        }


def store_chunk(stream: Stream, count: int, sources: list[Any]) -> None:
    from newsdesk.stories.models import Article

    rows = []
    for _ in range(count):
        fields = stream.next()
        number = stream.number
        rows.append(
            Article(
                source=sources[number % len(sources)],
                guid=f"bench-{number}",
                url=f"https://outlet.example/{number}",
                canonical_url=f"https://outlet.example/{number}",
                slug="bench",
                language="en",
                **fields,
            )
        )
    Article.objects.bulk_create(rows, batch_size=2000)


def placement_digest() -> str:
    """Hash every article's story (named by its first article) and original, in id order.

    Two runs of one stream place alike exactly when their digests are equal,
    whatever ids their stories got.
    """
    from newsdesk.stories.models import Article

    rows = list(Article.objects.order_by("pk").values_list("pk", "story_id", "reprint_of_id"))
    first: dict[int, int] = {}
    for pk, story, _ in rows:
        if story is not None:
            first.setdefault(story, pk)
    digest = hashlib.sha256()
    for pk, story, original in rows:
        digest.update(f"{pk}:{first.get(story) if story else None}:{original};".encode())
    return digest.hexdigest()[:16]


def _descendants() -> dict[int, list[str]]:
    """Return the /proc stat fields (after the name) of this process's live descendants."""
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    mine = {os.getpid()}
    while found := {pid for pid, f in stats.items() if int(f[1]) in mine} - mine:
        mine |= found
    return {pid: stats[pid] for pid in mine - {os.getpid()}}


def helper_cpu_seconds() -> float:
    """CPU time of this process's live descendants (the stage's helper), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    return sum((int(f[11]) + int(f[12])) / tick for f in _descendants().values())


def helper_peak_rss_mb() -> float:
    """The largest peak RSS (VmHWM) among this process's live descendants."""
    peaks = [0.0]
    for pid in _descendants():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [
            int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")
        ]
    return round(max(peaks), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--per-day", type=int, default=20_000)
    parser.add_argument("--latency", type=int, default=0, help="samples of the latency")
    parser.add_argument(
        "--db", default="", help="an empty database's URL (default: SQLite in a temporary folder)"
    )
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="newsdesk-bench-s-")
    try:
        setup_django(args.db or f"sqlite:///{workdir}/bench.sqlite3", workdir)
        if args.latency:
            print(json.dumps(latency(args.latency)))
        else:
            print(json.dumps(run(args.articles, args.per_day)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(total: int, per_day: int) -> dict[str, Any]:
    from newsdesk.sources.models import Source
    from newsdesk.stories.models import Article, Story
    from newsdesk.stories.stage import understand_new_articles

    sources = [
        Source.objects.create(name=f"Outlet {n}", feed_url=f"https://outlet{n}.example/feed")
        for n in range(40)
    ]
    stream = Stream(per_day)
    placing = 0.0
    chunks = []
    while stream.number < total:
        store_chunk(stream, min(CHUNK, total - stream.number), sources)
        started = time.perf_counter()
        cpu = time.process_time()
        helper = helper_cpu_seconds()
        placed = 0
        while result := understand_new_articles().placed:
            placed += result
        seconds = time.perf_counter() - started
        placing += seconds
        chunk = {
            "stored": stream.number,
            "placed": placed,
            "per_second": round(placed / seconds, 1),
            "cpu_per_article_ms": round((time.process_time() - cpu) / placed * 1000, 3),
            # The helper process that prepares batches ahead (clock ticks: coarse per chunk).
            "helper_cpu_per_article_ms": round((helper_cpu_seconds() - helper) / placed * 1000, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "helper_peak_rss_mb": helper_peak_rss_mb(),
        }
        chunks.append(chunk)
        print(json.dumps(chunk), file=sys.stderr, flush=True)  # progress, for long runs
    cpu_ms = sum(c["cpu_per_article_ms"] * c["placed"] for c in chunks) / total
    helper_ms = sum(c["helper_cpu_per_article_ms"] * c["placed"] for c in chunks) / total
    return {
        "articles": total,
        "articles_per_day": per_day,
        "per_second": round(total / placing, 1),
        # CPU time is what a shared machine does not distort much; 1000 / it is the rate
        # this process would reach with a whole core to itself.
        "cpu_ms_per_article": round(cpu_ms, 3),
        "per_cpu_second": round(1000 / cpu_ms, 1),
        "helper_cpu_ms_per_article": round(helper_ms, 3),
        "placement_digest": placement_digest(),
        "stories": Story.objects.count(),
        "reprints": Article.objects.filter(reprint_of__isnull=False).count(),
        "peak_rss_mb": chunks[-1]["peak_rss_mb"],
        "helper_peak_rss_mb": max(c["helper_peak_rss_mb"] for c in chunks),
        "chunks": chunks,
    }


def latency(samples: int) -> dict[str, Any]:
    """Store articles one at a time while the scheduler runs; time until each is placed."""
    from newsdesk.jobs.scheduler import DEFAULT_JOBS, Scheduler
    from newsdesk.sources.models import Source
    from newsdesk.stories.models import Article

    job = next(j for j in DEFAULT_JOBS if j[0].endswith("understand_new_articles"))
    sources = [Source.objects.create(name="Outlet", feed_url="https://outlet.example/feed")]
    stream = Stream(20_000)
    store_chunk(stream, 500, sources)  # a site with articles already placed
    runner = Scheduler(jobs=(job,), tick=0.5).start()
    delays = []
    rng = random.Random(3)
    try:
        deadline = time.monotonic() + 600
        while Article.objects.filter(understood_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the backlog was not placed within ten minutes")
            time.sleep(0.2)
        for _ in range(samples):
            time.sleep(rng.uniform(0, job[1]))  # arrive at any moment of the job's cycle
            store_chunk(stream, 1, sources)
            newest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
            started = time.monotonic()
            while not Article.objects.filter(pk=newest, story__isnull=False).exists():
                time.sleep(0.05)
                if time.monotonic() - started > 60:
                    raise RuntimeError("an article was not placed within a minute")
            delays.append(time.monotonic() - started)
    finally:
        runner.stop()
    return {
        "job_every_seconds": job[1],
        "samples": samples,
        "max_seconds": round(max(delays), 2),
        "mean_seconds": round(sum(delays) / len(delays), 2),
        "delays": [round(d, 2) for d in delays],
    }


if __name__ == "__main__":
    main()
