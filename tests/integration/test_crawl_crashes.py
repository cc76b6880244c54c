"""Native crashes in extraction cost one page, never the crawl or the process running it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.ingest.pagepool import PagePool
from newsdesk.sources.models import FetchStatus, Source
from newsdesk.stories.models import Article
from tests.ingest.workerjobs import misbehave_on_marked_pages

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles" / "readability"

pytestmark = pytest.mark.django_db(transaction=True)

ITEM = """<item><title>{title}</title><link>{base}/pages/{page}</link>
<guid isPermaLink="false">{page}</guid><pubDate>Thu, 16 Apr 2015 14:30:00 GMT</pubDate>
<description>Teaser of {title}.</description></item>"""


def summary_feed(base: str, pages: list[str]) -> str:
    items = "".join(ITEM.format(title=p.split(".")[0], base=base, page=p) for p in pages)
    channel = f"<channel><title>Wire</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


@pytest.fixture
def crashing_pool() -> Iterator[PagePool]:
    # Long enough for a replacement worker's cold start on a loaded CI machine (a 5 s limit
    # once timed out the page after a crash as well); the hang case still waits for it.
    with PagePool(processes=2, timeout=15, job=misbehave_on_marked_pages) as pages:
        yield pages


@pytest.mark.parametrize("crash", ["crash-segv", "crash-abort", "crash-kill", "hang"])
def test_a_worker_dying_mid_page_costs_that_page_only(
    corpus_server: CorpusServer, crashing_pool: PagePool, crash: str
) -> None:
    """The crawl goes on; the page's error is recorded; its article keeps the feed's text."""
    root = corpus_server.root
    (root / "pages").mkdir()
    names = ["ars-1.html", f"{crash}.html", "heise.html"]
    for name, origin in zip(names, ["ars-1.html", "ars-1.html", "heise.html"], strict=True):
        shutil.copy(ARTICLES / origin, root / "pages" / name)
    (root / "wire.rss").write_text(summary_feed(corpus_server.base_url, names))
    other = Source.objects.create(name="TPM", feed_url=corpus_server.url("tpm.atom"))
    shutil.copy(Path(__file__).parents[1] / "data" / "integration" / "feeds" / "tpm.atom", root)
    wire = Source.objects.create(name="Wire", feed_url=corpus_server.url("wire.rss"))

    results = {r.source_name: r for r in crawl([wire, other], pages=crashing_pool)}

    assert results["Wire"].ok and results["Wire"].new == 3
    assert len(results["Wire"].page_errors) == 1, results["Wire"].page_errors
    [error] = results["Wire"].page_errors
    assert crash in error and "WorkerError" in error
    assert results["TPM"].new == 20
    crashed = Article.objects.get(guid=f"{crash}.html")
    assert crashed.body_text == f"Teaser of {crash}."
    fine = Article.objects.get(guid="ars-1.html")
    assert "Minecraft" in fine.body_text and len(fine.body_text) > 1000
    assert Source.objects.get(pk=wire.pk).last_status == FetchStatus.OK
