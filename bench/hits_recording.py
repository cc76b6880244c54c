"""Raw recording throughput: views stored per second through the flusher's batch path.

Builds realistic hits (200 articles, 5,000 visitors, mixed referrers, devices and
browsers, 3% filtered bots) and stores them with ``rollups.apply_batch`` in batches
of NEWSDESK_HITS_BATCH_SIZE, exactly as the background flusher does.

    python -m bench.hits_recording --views 100000 --db sqlite:////tmp/r.sqlite3
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bench.common import setup_django

if TYPE_CHECKING:
    from newsdesk.hits.buffer import Hit


def make_hits(count: int, article_ids: list[int]) -> list[Hit]:
    from newsdesk.hits.buffer import Hit

    rng = random.Random(5)
    now = datetime.now(UTC)
    visitors = [f"{rng.getrandbits(64):016x}" for _ in range(5000)]
    hits = []
    for n in range(count):
        ts = now - timedelta(seconds=(count - n) * 0.01)
        if rng.random() < 0.03:
            hits.append(Hit(ts=ts, reason="crawler"))
            continue
        article = rng.choice(article_ids)
        hits.append(
            Hit(
                ts=ts,
                kind="article",
                path=f"/article/{article}/story/",
                article_id=article,
                visitor=rng.choice(visitors),
                referrer_host=rng.choice(["", "news.example", "search.example", "social.example"]),
                device=rng.choice(["desktop", "mobile", "tablet"]),
                browser=rng.choice(["Chrome", "Firefox", "Safari", "Edge"]),
            )
        )
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", type=int, default=100_000)
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="newsdesk-bench-r-")
    setup_django(args.db or f"sqlite:///{workdir}/bench.sqlite3", workdir)
    from django.conf import settings
    from django.db import connection

    from newsdesk.hits.rollups import apply_batch
    from newsdesk.sources.models import Source
    from newsdesk.stories.models import Article

    source = Source.objects.create(name="Bench", feed_url="http://127.0.0.1/bench.xml")
    now = datetime.now(UTC)
    Article.objects.bulk_create(
        Article(
            source=source,
            guid=str(n),
            url=f"http://127.0.0.1/{n}",
            slug=f"a{n}",
            title=f"A{n}",
            published_at=now,
            first_seen_at=now,
        )
        for n in range(200)
    )
    ids = list(Article.objects.values_list("pk", flat=True))
    hits = make_hits(args.views, ids)
    batch = int(settings.NEWSDESK_HITS_BATCH_SIZE)
    apply_batch(hits[:batch])  # warm up: prepared statements, file growth
    began = time.perf_counter()
    stored = 0
    for offset in range(batch, len(hits), batch):
        stored += apply_batch(hits[offset : offset + batch])
    seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "batch_size": batch,
                "hits": len(hits) - batch,
                "views_stored": stored,
                "seconds": round(seconds, 3),
                "views_per_second": round(stored / seconds),
            }
        )
    )
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
