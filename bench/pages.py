"""Page throughput (cached and uncached) against a bare Django view, and a worker's memory.

Seeds one SQLite database the size of the demo (5 categories, 13 sources, 4
editors, 120 articles, stories, approved comments, a day of views), then, in
alternating rounds, runs gunicorn (gthread, 2 workers x 4 threads) with the
page cache on and off. With the cache on, each round measures a bare Django
view on the same server (``bench.page_server``), then cached article and home
pages; with it off, uncached article and home pages. The load generator is wrk
(or, without it, Python threads) on the same 2-core machine as the server, so
every figure is the median of the alternating rounds, and the output says so.

Every request carries a desktop browser's User-Agent, so every page answered
is a counted human view, cached or not. Finally one server takes 10,000 mixed
requests (every public page kind, search included) and each worker's resident
memory is read from /proc.

    python -m bench.pages --rounds 5 --seconds 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.hits_pages import BROWSER_UA, free_port, load, start_server, stop_server

ARTICLES = 120
CATEGORIES = ["World", "Politics", "Business", "Technology", "Culture"]
EDITORS = ["Maria Alvarez", "Jon Park", "Amina Diallo", "Lena Fischer"]
PARAGRAPH = (
    "The council met on Tuesday evening to discuss the harbour plan, which has divided "
    "residents for months. Supporters say the new quay will bring ferries back; critics "
    "point to the cost and to the wetlands north of the town. "
)


def seed() -> dict[str, Any]:
    """Fill the bench database (Django set up by the caller); return the paths to load."""
    from datetime import timedelta

    from django.utils import timezone

    from newsdesk.comments.models import Comment, Status
    from newsdesk.hits.buffer import Hit
    from newsdesk.hits.rollups import apply_batch
    from newsdesk.sources.models import Category, Editor, Source
    from newsdesk.stories.models import Article, Story
    from newsdesk.stories.refresh import refresh_stories

    now = timezone.now()
    categories = [
        Category.objects.create(name=name, slug=name.lower(), order=n)
        for n, name in enumerate(CATEGORIES)
    ]
    editors = [
        Editor.objects.create(display_name=name, slug=name.lower().replace(" ", "-"), bio=PARAGRAPH)
        for name in EDITORS
    ]
    sources = [
        Source.objects.create(
            name=f"Outlet {n}",
            feed_url=f"http://127.0.0.1/feed-{n}.xml",
            site_url=f"http://127.0.0.1/{n}/",
            category=categories[n % len(categories)],
            editor=editors[n % len(editors)],
        )
        for n in range(13)
    ]
    stories = [Story.objects.create() for _ in range(12)]
    body = "".join(f"<p>{PARAGRAPH * 2}</p>" for _ in range(8))
    articles = []
    for n in range(ARTICLES):
        moment = now - timedelta(minutes=37 * n)
        articles.append(
            Article.objects.create(
                source=sources[n % len(sources)],
                guid=f"guid-{n}",
                url=f"http://127.0.0.1/{n % 13}/story-{n}",
                slug=f"harbour-plan-divides-town-{n}",
                title=f"Harbour plan divides the town, part {n}",
                summary=PARAGRAPH,
                body_html=body,
                body_text=PARAGRAPH * 16,
                author="Staff reporter",
                published_at=moment,
                first_seen_at=moment,
                language="en",
                story=stories[n % len(stories)] if n < 36 else None,
            )
        )
    refresh_stories([s.pk for s in stories])
    for n, article in enumerate(articles[:40]):
        Comment.objects.create(
            article=article,
            name=f"Reader {n}",
            body="Thanks for this.",
            body_html="<p>Thanks for this.</p>",
            status=Status.APPROVED,
        )
    hits = [
        Hit(
            ts=now - timedelta(minutes=n % 600),
            kind="article",
            path=articles[n % 30].get_absolute_url(),
            article_id=articles[n % 30].pk,
            visitor=f"{n % 400:032x}",
            device="desktop",
            browser="Firefox",
        )
        for n in range(3000)
    ]
    apply_batch(hits)
    return {
        "articles": [a.get_absolute_url() for a in articles],
        "stories": [f"/story/{s.pk}/" for s in stories],
        "categories": [c.get_absolute_url() for c in categories],
        "editors": [e.get_absolute_url() for e in editors],
    }


def _run_seed(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import django, json; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from bench.pages import seed; print(json.dumps(seed()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _wrk(
    port: int, paths: list[str], seconds: float, clients: int, workdir: Path
) -> dict[str, Any]:
    """Run wrk (2 threads, ``clients`` connections) over ``paths``; return rps and latencies."""
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    completed = subprocess.run(
        [
            *("wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"),
            "--latency",
            *("-s", str(script), "-H", f"User-Agent: {BROWSER_UA}", "-H", "Accept: text/html"),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return _parse_wrk(completed.stdout)


def _parse_wrk(output: str) -> dict[str, Any]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 2)

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)$", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)$", output, re.MULTILINE)
    return {
        "requests": requests,
        "errors": int(errors.group(1)) if errors else 0,
        "rps": round(rps, 1),
        "p50_ms": ms(p50.group(1)) if p50 else None,
        "p99_ms": ms(p99.group(1)) if p99 else None,
    }


def measure(port: int, paths: list[str], args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Warm up, then measure one page kind for ``args.seconds`` (wrk) or a request count."""
    # Each worker's first page imports and compiles what pages need (seconds on a busy
    # machine): warm both workers on every path before measuring.
    load(port, paths, max(len(paths) * 4, args.clients * 4), args.clients)
    if args.generator == "wrk":
        _wrk(port, paths, 1, args.clients, workdir)
        return _wrk(port, paths, args.seconds, args.clients, workdir)
    load(port, paths, args.clients * 10, args.clients)
    return load(port, paths, args.requests, args.clients)


def wait_ready(port: int, timeout: float = 60.0) -> None:
    """Wait until the workers answer: gunicorn's master accepts before they are booted."""
    deadline = time.monotonic() + timeout
    answered = 0
    while answered < 20 and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/bench/bare/")
            answered += conn.getresponse().status == 200
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    if answered < 20:
        raise RuntimeError("gunicorn workers did not answer")


def run_round(
    env: dict[str, str], cached: bool, targets: dict[str, list[str]], args: argparse.Namespace
) -> dict[str, Any]:
    """Start one server with the page cache on or off and measure its page kinds."""
    mode_env = {**env, "NEWSDESK_PAGE_CACHE": "true" if cached else "false"}
    port = args.port or free_port()
    server = start_server(mode_env, port, args.workers)
    workdir = Path(env["NEWSDESK_VAR_DIR"])
    try:
        wait_ready(port)
        kinds = ["bare", "article", "home"] if cached else ["article", "home"]
        return {kind: measure(port, targets[kind], args, workdir) for kind in kinds}
    finally:
        stop_server(server)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure_memory(env: dict[str, str], seeded: dict[str, Any], args: argparse.Namespace) -> Any:
    """Send 10,000 mixed requests to one server; return each worker's RSS afterwards."""
    mixed = [
        "/",
        "/latest/",
        "/latest/?page=2",
        *seeded["categories"],
        *seeded["editors"],
        *seeded["stories"],
        *seeded["articles"],
        "/search/?q=harbour",
        "/search/?q=wetlands+ferries",
        "/?popular=7d",
    ]
    port = args.port or free_port()
    server = start_server({**env, "NEWSDESK_PAGE_CACHE": "true"}, port, args.workers)
    try:
        wait_ready(port)
        workers = _children(server.pid)
        before = {pid: _rss_mb(pid) for pid in workers}
        served = load(port, mixed, args.memory_requests, args.clients)
        after = {pid: _rss_mb(pid) for pid in workers}
    finally:
        stop_server(server)
    return {
        "requests": served["requests"],
        "errors": served["errors"],
        "kinds": "home, Latest News (2 pages), 5 categories, 4 editors, 12 stories, "
        "120 articles, 2 searches, Most Popular 7 days",
        "worker_rss_mb_before": list(before.values()),
        "worker_rss_mb_after": list(after.values()),
        "max_worker_rss_mb": max(after.values()),
        "target_mb": 150,
        "meets_target": max(after.values()) < 150,
    }


RENDER_CODE = """
import json, statistics, sys, time, django
django.setup()
from django.conf import settings
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
settings.NEWSDESK_PAGE_CACHE = False
settings.NEWSDESK_HITS_ENABLED = False
client = Client(HTTP_USER_AGENT=sys.argv[2])
targets = json.loads(sys.argv[1])
result = {}
for kind, paths in targets.items():
    for path in paths:
        client.get(path)
    samples = []
    for n in range(60):
        started = time.process_time()
        assert client.get(paths[n % len(paths)]).status_code == 200
        samples.append((time.process_time() - started) * 1000)
    result[kind] = round(statistics.median(samples), 2)
print(json.dumps(result))
"""


def measure_renders(env: dict[str, str], targets: dict[str, list[str]]) -> dict[str, Any]:
    """Return the median CPU milliseconds of one uncached article and home render, in-process.

    CPU time of the rendering process, not wall time: the figure holds on a shared
    machine. The page cache is off; the per-generation blocks are warm, as after a
    page's first miss.
    """
    wanted = {"article": targets["article"][:20], "home": targets["home"]}
    out = subprocess.run(
        [sys.executable, "-c", RENDER_CODE, json.dumps(wanted), BROWSER_UA],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return {"cpu_ms_median_of_60": json.loads(out.stdout.strip().splitlines()[-1])}


def median_round(rounds: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """Return the round whose throughput for ``kind`` is the median."""
    ordered = sorted((r[kind] for r in rounds), key=lambda r: r["rps"])
    return dict(ordered[len(ordered) // 2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per measure")
    parser.add_argument("--requests", type=int, default=2000, help="per measure without wrk")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=0, help="server port (default: any free)")
    parser.add_argument("--renders-only", action="store_true", help="only in-process renders")
    parser.add_argument("--generator", choices=["wrk", "python"], default="")
    args = parser.parse_args()
    args.generator = args.generator or ("wrk" if shutil.which("wrk") else "python")
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-pages-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.page_server",
        "NEWSDESK_VAR_DIR": str(workdir),
        "NEWSDESK_DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "NEWSDESK_REDIS_URL": "",
        "NEWSDESK_DEBUG": "false",
        "NEWSDESK_SCHEDULER": "false",
        "NEWSDESK_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    }
    seeded = _run_seed(env)
    targets = {"bare": ["/bench/bare/"], "article": seeded["articles"][:50], "home": ["/"]}
    if args.renders_only:
        print(json.dumps({"renders": measure_renders(env, targets)}))
        return
    cached_rounds: list[dict[str, Any]] = []
    uncached_rounds: list[dict[str, Any]] = []
    # Alternate cache on/off so the machine's drift hits both alike.
    for _ in range(args.rounds):
        cached_rounds.append(run_round(env, True, targets, args))
        uncached_rounds.append(run_round(env, False, targets, args))
        print(json.dumps([cached_rounds[-1], uncached_rounds[-1]]), file=sys.stderr, flush=True)
    memory = measure_memory(env, seeded, args)
    renders = measure_renders(env, targets)
    shutil.rmtree(workdir, ignore_errors=True)
    bare = median_round(cached_rounds, "bare")
    result = {
        "server": f"gunicorn gthread, {args.workers} workers x 4 threads, SQLite, "
        "local-memory cache, hit counting on (every request a browser's)",
        "load_generator": (
            f"{'wrk -t2' if args.generator == 'wrk' else 'Python threads'}, "
            f"{args.clients} keep-alive connections, on the same {os.cpu_count()}-core machine "
            "as the server (they share the CPUs)"
        ),
        "method": f"median of {args.rounds} alternating rounds (cache on, cache off); "
        + (f"{args.seconds} s per measure after a 1 s warm-up" if args.generator == "wrk" else ""),
        "database": f"{ARTICLES} articles, 13 sources, 5 categories, 4 editors (demo-sized)",
        "bare": bare,
        "cached": {k: median_round(cached_rounds, k) for k in ("article", "home")},
        "uncached": {k: median_round(uncached_rounds, k) for k in ("article", "home")},
        "rounds": {"cached": cached_rounds, "uncached": uncached_rounds},
        "memory": memory,
        "uncached_renders_in_process": renders,
    }
    result["ratios_to_bare"] = {
        f"{mode}_{kind}": round(result[mode][kind]["rps"] / bare["rps"], 3)
        for mode in ("cached", "uncached")
        for kind in ("article", "home")
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
