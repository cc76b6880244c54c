"""Article page requests per second with tracking on and off, same server and database.

Seeds one SQLite database, then runs gunicorn twice on 127.0.0.1 (once with
NEWSDESK_HITS_ENABLED=false), each time sending a bounded number of requests
for article pages from concurrent keep-alive clients with a desktop browser
User-Agent, so every request is a counted human view when tracking is on.

    python -m bench.hits_pages --requests 3000 --clients 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, percentile

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def seed(env: dict[str, str]) -> list[str]:
    """Migrate the bench database and create articles; return their paths."""
    code = (
        "import django, json; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from django.utils import timezone;"
        "from newsdesk.sources.models import Category, Source;"
        "from newsdesk.stories.models import Article;"
        "c = Category.objects.create(name='World', slug='world');"
        "s = Source.objects.create(name='Wire', feed_url='http://127.0.0.1/w.xml', category=c);"
        "now = timezone.now();"
        "body = '<p>' + 'A paragraph of news text. ' * 60 + '</p>';"
        "arts = [Article.objects.create(source=s, guid=str(n), url=f'http://127.0.0.1/{n}',"
        " slug=f'story-{n}', title=f'Story {n}', summary='Summary', body_html=body * 4,"
        " published_at=now, first_seen_at=now) for n in range(50)];"
        "print(json.dumps([a.get_absolute_url() for a in arts]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn gracefully (SIGTERM) so its hit buffer is flushed."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def load(port: int, paths: list[str], total: int, clients: int) -> dict[str, Any]:
    """Send ``total`` GETs from ``clients`` keep-alive connections; return rps and latencies."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_client = total // clients

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for n in range(per_client):
            path = paths[(index * per_client + n) % len(paths)]
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"User-Agent": BROWSER_UA, "Accept": "text/html"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            mine.append((time.perf_counter() - start) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "seconds": round(seconds, 3),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def run_mode(env: dict[str, str], enabled: bool, paths: list[str], args: Any) -> dict[str, Any]:
    mode_env = {**env, "NEWSDESK_HITS_ENABLED": "true" if enabled else "false"}
    port = free_port()
    server = start_server(mode_env, port, args.workers)
    try:
        load(port, paths, args.warmup, args.clients)
        return load(port, paths, args.requests, args.clients)
    finally:
        stop_server(server)


def count_views(env: dict[str, str]) -> int:
    code = (
        "import django; django.setup();"
        "from newsdesk.hits.models import PageView; print(PageView.objects.count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-p-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "NEWSDESK_VAR_DIR": str(workdir),
        "NEWSDESK_DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "NEWSDESK_DEBUG": "false",
        "NEWSDESK_SCHEDULER": "false",
        "NEWSDESK_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    }
    paths = seed(env)
    rounds: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    # Alternate off/on so drift of the machine hits both modes alike.
    for _ in range(args.rounds):
        rounds["off"].append(run_mode(env, False, paths, args))
        rounds["on"].append(run_mode(env, True, paths, args))
    # The median round of each mode: one slow or fast round (the machine is shared
    # with the load generator) moves neither figure.
    median = {
        mode: sorted(runs, key=lambda r: r["rps"])[len(runs) // 2] for mode, runs in rounds.items()
    }
    recorded = count_views(env)
    shutil.rmtree(workdir, ignore_errors=True)
    per_round = (args.requests // args.clients + args.warmup // args.clients) * args.clients
    served = args.rounds * per_round
    print(
        json.dumps(
            {
                "server": f"gunicorn gthread, {args.workers} workers x 4 threads, SQLite",
                "clients": args.clients,
                "tracking_on": median["on"],
                "tracking_off": median["off"],
                "ratio_on_off": round(median["on"]["rps"] / median["off"]["rps"], 3),
                "ratio_method": f"median round of {args.rounds} alternating off/on rounds",
                "all_rounds": rounds,
                "views_recorded_when_on": recorded,
                "pages_served_when_on": served,
            }
        )
    )


if __name__ == "__main__":
    main()
