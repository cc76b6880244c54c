"""Run the benchmarks and write JSON results to bench/results/.

python -m bench                 # everything, 10 million views for the query bench
python -m bench --views 1000000 --only queries
python -m bench --only crawl --crawl-sources 200 --crawl-rounds 2
python -m bench --only extraction      # article extraction vs trafilatura and readability
python -m bench --only page_cache      # cached/uncached pages vs a bare view, worker memory
python -m bench --only readpaths --readpaths-articles 50000   # read paths at a smaller scale
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from bench.common import run_child, write_result

PG_ADMIN_URL = os.environ.get("NEWSDESK_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
TARGETS = {
    "page_ratio": 0.95,
    "views_per_second": 10_000,
    "query_p95_ms": 50,
    "extraction_speed_ratio": 0.8,
    "stories_per_second": 2_000,
    "stories_latency_seconds": 10,
    "cached_to_bare": 0.5,
    # Uncached pages: 5x the figures of issue 9 (article 87 req/s, home 45 req/s, same set-up).
    "uncached_article_rps": 5 * 87,
    "uncached_home_rps": 5 * 45,
}


def bench_pages(args: argparse.Namespace) -> dict[str, Any]:
    result = run_child("bench.hits_pages", ["--requests", str(args.requests)])
    result["target_ratio"] = TARGETS["page_ratio"]
    result["meets_target"] = result["ratio_on_off"] >= TARGETS["page_ratio"]
    return result


def _pg_database() -> str | None:
    """Create a throwaway PostgreSQL database; return its URL, or None when unreachable."""
    try:
        import psycopg

        name = f"newsdesk_bench_{os.getpid()}"
        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True, connect_timeout=3) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
        return f"{PG_ADMIN_URL}/{name}"
    except Exception as exc:
        print(f"PostgreSQL unreachable, skipped: {exc}", file=sys.stderr)
        return None


def _drop_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_page_cache(args: argparse.Namespace) -> dict[str, Any]:
    """Cached and uncached article and home pages against a bare view; a worker's memory."""
    result = run_child(
        "bench.pages", ["--rounds", str(args.page_rounds), "--port", str(args.page_port)]
    )
    ratios = result["ratios_to_bare"]
    result["targets"] = {
        "cached_to_bare": TARGETS["cached_to_bare"],
        "uncached_article_rps": TARGETS["uncached_article_rps"],
        "uncached_home_rps": TARGETS["uncached_home_rps"],
        "worker_rss_mb": result["memory"]["target_mb"],
    }
    result["meets_targets"] = {
        "cached_article": ratios["cached_article"] >= TARGETS["cached_to_bare"],
        "cached_home": ratios["cached_home"] >= TARGETS["cached_to_bare"],
        "uncached_article": result["uncached"]["article"]["rps"] >= TARGETS["uncached_article_rps"],
        "uncached_home": result["uncached"]["home"]["rps"] >= TARGETS["uncached_home_rps"],
        "memory": result["memory"]["meets_target"],
    }
    return result


def bench_recording(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"target_views_per_second": TARGETS["views_per_second"]}
    results["sqlite"] = run_child("bench.hits_recording", ["--views", str(args.record_views)])
    # The same path with bigger batches shows how much is per-batch overhead.
    results["sqlite_batch_5000"] = run_child(
        "bench.hits_recording",
        ["--views", str(args.record_views)],
        env={"NEWSDESK_HITS_BATCH_SIZE": "5000"},
    )
    url = _pg_database()
    if url is None:
        results["postgresql"] = {"skipped": f"no server at {PG_ADMIN_URL}"}
    else:
        try:
            results["postgresql"] = run_child(
                "bench.hits_recording", ["--views", str(args.record_views), "--db", url]
            )
        finally:
            _drop_pg(url)
    for key in ("sqlite", "sqlite_batch_5000", "postgresql"):
        if "views_per_second" in results[key]:
            results[key]["meets_target"] = (
                results[key]["views_per_second"] >= TARGETS["views_per_second"]
            )
    return results


def bench_queries(args: argparse.Namespace) -> dict[str, Any]:
    result = run_child("bench.hits_queries", ["--views", str(args.views)])
    result["target_p95_ms"] = TARGETS["query_p95_ms"]
    result["over_target"] = [
        name for name, q in result["queries"].items() if q["p95_ms"] >= TARGETS["query_p95_ms"]
    ]
    return result


def bench_crawl(args: argparse.Namespace) -> dict[str, Any]:
    return run_child(
        "bench.crawl",
        [
            *["--sources", str(args.crawl_sources), "--items", str(args.crawl_items)],
            *["--hosts", str(args.crawl_hosts), "--rounds", str(args.crawl_rounds)],
        ],
    )


def bench_extraction(args: argparse.Namespace) -> dict[str, Any]:
    result = run_child("bench.extraction", ["--part", "held-back"])
    result["target_speed_ratio"] = TARGETS["extraction_speed_ratio"]
    ratio = result["speed_ratio_newsdesk_to_trafilatura"]
    result["meets_speed_target"] = ratio is not None and ratio >= TARGETS["extraction_speed_ratio"]
    return result


def bench_bots(args: argparse.Namespace) -> dict[str, Any]:
    """Bot filter on held-back public lists (no database, a few seconds)."""
    return run_child("bench.bot_filter", [])


def bench_stories(args: argparse.Namespace) -> dict[str, Any]:
    """Understand stage: placement throughput and memory, and store-to-story latency."""
    placing = run_child(
        "bench.stories",
        ["--articles", str(args.story_articles), "--per-day", str(args.story_per_day)],
    )
    placing["target_per_second"] = TARGETS["stories_per_second"]
    placing["meets_target"] = placing["per_second"] >= TARGETS["stories_per_second"]
    latency = run_child("bench.stories", ["--latency", "5"])
    latency["target_seconds"] = TARGETS["stories_latency_seconds"]
    latency["meets_target"] = latency["max_seconds"] <= TARGETS["stories_latency_seconds"]
    return {"placing": placing, "latency": latency}


def bench_readpaths(args: argparse.Namespace) -> dict[str, Any]:
    """Server time of the public pages with a generated 1M-article database, SQLite and PG."""
    scale = ["--articles", str(args.readpaths_articles)]
    sqlite_url = f"sqlite:///var/bench/readpaths-{args.readpaths_articles}.sqlite3"
    results: dict[str, Any] = {"sqlite": run_child("bench.readpaths", [*scale, "--db", sqlite_url])}
    # A kept database (not a throwaway one): loading 1M articles takes minutes, reuse it.
    name = args.readpaths_pg_db
    try:
        import psycopg

        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True, connect_timeout=3) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                c.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        results["postgresql"] = {"skipped": f"no server at {PG_ADMIN_URL}: {exc}"}
        return results
    results["postgresql"] = run_child("bench.readpaths", [*scale, "--db", f"{PG_ADMIN_URL}/{name}"])
    return results


BENCHES = {
    "pages": bench_pages,
    "page_cache": bench_page_cache,
    "recording": bench_recording,
    "queries": bench_queries,
    "crawl": bench_crawl,
    "extraction": bench_extraction,
    "bots": bench_bots,
    "stories": bench_stories,
    "readpaths": bench_readpaths,
}
# The JSON file each bench writes in bench/results/.
RESULT_NAMES = {name: f"hits_{name}" for name in ("pages", "recording", "queries")} | {
    "page_cache": "pages",
    "crawl": "crawl",
    "extraction": "extraction",
    "bots": "bots",
    "stories": "stories",
    "readpaths": "readpaths",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    parser.add_argument("--views", type=int, default=10_000_000, help="views for the query bench")
    parser.add_argument("--record-views", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=800, help="page requests per round")
    parser.add_argument("--page-rounds", type=int, default=5, help="page cache bench rounds")
    parser.add_argument("--page-port", type=int, default=0, help="page bench port (0: any free)")
    parser.add_argument("--crawl-sources", type=int, default=1000, help="fixture sources to crawl")
    parser.add_argument("--crawl-items", type=int, default=2, help="entries per fixture feed")
    parser.add_argument("--crawl-hosts", type=int, default=100, help="loopback fixture hosts")
    parser.add_argument("--crawl-rounds", type=int, default=3)
    parser.add_argument("--story-articles", type=int, default=100_000)
    parser.add_argument("--story-per-day", type=int, default=20_000)
    parser.add_argument("--readpaths-articles", type=int, default=1_000_000)
    parser.add_argument("--readpaths-pg-db", default="newsdesk_readpaths")
    args = parser.parse_args()
    for name in args.only or list(BENCHES):
        print(f"bench: {name} ...", flush=True)
        path = write_result(RESULT_NAMES[name], BENCHES[name](args))
        print(f"bench: {name} -> {path.relative_to(path.parents[2])}", flush=True)


if __name__ == "__main__":
    main()
