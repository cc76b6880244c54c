"""Time search result pages (ids, articles, highlights) on one database.

python -m bench.search --database-url postgres://postgres@127.0.0.1:5432/newsdesk_bench_search
python -m bench.search --database-url sqlite:///var/bench/search.sqlite3 --articles 50000

Articles are built from the sentences of the stories evaluation set (real
English news text), 12 random sentences each, inserted with plain SQL so the
index triggers run exactly as they do for the pipeline. A database that already
holds at least ``--articles`` articles is reused. Prints and writes JSON
(bench/results/search_<vendor>.json): the median and p95 of whole result pages
per query and order. The 1M-article read paths are ``scale``'s benchmark.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import percentile, setup_django, write_result

EVALSET = Path(__file__).parent.parent / "newsdesk/stories/evaldata/giveme5w1h_news_cluster.jsonl"
QUERIES = {
    "rare word": "earthquake",
    "medium word": "bitcoin",
    "phrase": '"North Korea"',
    "common word": "said",
    "two words": "bridge police",
    "misspelt": "Pyongyng",
    "no match": "zyxwvut",
}
INSERT = (
    "INSERT INTO stories_article (source_id, guid, url, slug, title, summary, body_html,"
    " body_text, published_at, first_seen_at, language, status, author, image_url, featured,"
    " entry_fingerprint, canonical_url, body_hash, image_alt)"
    " VALUES (%s, %s, %s, 'a', %s, %s, '', %s, %s, %s, 'en', 'published', '', '', false,"
    " '', '', '', '')"
)


def load(count: int) -> float:
    """Insert ``count`` articles; return the seconds it took."""
    from django.db import connection
    from django.utils import timezone

    from newsdesk.sources.models import Source

    rows = [json.loads(line) for line in EVALSET.open()]
    sentences = [s for r in rows for s in r["text"].split(". ") if len(s.split()) > 5]
    titles = [r["title"] for r in rows if r.get("title")]
    chooser = random.Random(1)
    source = Source.objects.create(name="Bench", feed_url="https://bench.example/feed")
    now = timezone.now()
    started = time.monotonic()
    with connection.cursor() as cursor:
        for start in range(0, count, 1_000):
            batch = []
            for number in range(start, min(start + 1_000, count)):
                body = ". ".join(chooser.sample(sentences, 12))
                when = now - timedelta(minutes=number)
                url = f"https://bench.example/{number}"
                title = chooser.choice(titles)
                batch.append((source.pk, url, url, title, body[:200], body, when, when))
            cursor.executemany(INSERT, batch)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE stories_article")
    return time.monotonic() - started


def time_pages(repeat: int) -> dict[str, Any]:
    """Time page 1 of every query in both orders."""
    from newsdesk.site.search import Order, search_articles

    results: dict[str, Any] = {}
    for name, query in QUERIES.items():
        for order in Order:
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                page = search_articles(query, order).page(1)
                samples.append((time.perf_counter() - started) * 1000)
            results[f"{name} / {order.value}"] = {
                "query": query,
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": round(percentile(samples, 95), 1),
                "shown": len(page.hits),
                "has_next": page.has_next,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django(args.database_url, "var/bench")
    from django.db import connection

    from newsdesk.stories.models import Article

    have = Article.objects.count()
    seconds = load(args.articles - have) if have < args.articles else 0.0
    payload = {
        "vendor": connection.vendor,
        "articles": max(have, args.articles),
        "load_seconds": round(seconds, 1),
        "pages": time_pages(args.repeat),
    }
    write_result(f"search_{connection.vendor}", payload)
    print(json.dumps(payload))


if __name__ == "__main__":
    main()
