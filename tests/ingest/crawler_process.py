"""A crawler in a process of its own: set up Django from the environment, fetch the URLs given.

Tests start several of these with ``python -m tests.ingest.crawler_process URL...``
to check what crawler processes sharing a host do together. Each prints one
JSON list: the status of each fetch, or the error it raised.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def wait_for_peers(folder: str, count: int) -> None:
    """Start fetching only when ``count`` crawlers are ready, so they really compete."""
    (Path(folder) / str(os.getpid())).touch()
    give_up = time.monotonic() + 60
    while len(list(Path(folder).iterdir())) < count and time.monotonic() < give_up:
        time.sleep(0.01)


def main(urls: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from newsdesk.ingest.errors import IngestError
    from newsdesk.ingest.fetcher import Fetcher

    outcomes: list[object] = []
    with Fetcher() as fetcher:
        if barrier := os.environ.get("CRAWLER_BARRIER"):
            folder, count = barrier.rsplit(":", 1)
            wait_for_peers(folder, int(count))
        for url in urls:
            try:
                outcomes.append(fetcher.fetch(url).status)
            except IngestError as error:
                outcomes.append(f"{type(error).__name__}: {error}")
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(sys.argv[1:])
