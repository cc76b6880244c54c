"""Operator commands over a real loopback server: add-source (with autodiscovery) and crawl."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsdesk.cli import main
from newsdesk.demo.server import CorpusServer
from newsdesk.sources.models import Source
from newsdesk.stories.models import Article

DATA = Path(__file__).resolve().parents[1] / "data" / "integration"

pytestmark = pytest.mark.django_db(transaction=True)

SITE_PAGE = """<!doctype html><html><head><title>TPM</title>
<link rel="alternate" type="application/atom+xml" title="All news" href="/feeds/tpm.atom">
</head><body><h1>Talking Points Memo</h1></body></html>"""


@pytest.fixture
def served(corpus_server: CorpusServer) -> CorpusServer:
    shutil.copytree(DATA / "feeds", corpus_server.root / "feeds")
    (corpus_server.root / "index.html").write_text(SITE_PAGE)
    return corpus_server


def test_add_source_discovers_the_feed_of_a_site(served: CorpusServer) -> None:
    """A site URL becomes a source for the feed its page advertises, named after the feed."""
    out = StringIO()
    call_command("add_source", served.url("index.html"), category="Politics", stdout=out)
    source = Source.objects.get()
    assert source.feed_url == served.url("feeds/tpm.atom")
    assert source.name == "All TPM News"
    assert source.category is not None and source.category.name == "Politics"
    assert "Added" in out.getvalue()


def test_add_source_refuses_a_page_without_feed(served: CorpusServer) -> None:
    """A page that is not a feed and links to none gives a clear error and adds nothing."""
    with pytest.raises(CommandError, match="neither a feed nor a page"):
        call_command("add_source", served.url("feeds/notafeed.html"))
    assert not Source.objects.exists()


def test_crawl_once_prints_a_summary(
    served: CorpusServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`newsdesk crawl --once` fetches due sources and ends with ok/failed and new counts."""
    main(["add-source", served.url("feeds/tpm.atom"), "--name", "TPM"])
    Source.objects.create(name="Broken", feed_url=served.url("feeds/missing.xml"))
    main(["crawl", "--once"])
    output = capsys.readouterr().out
    assert "Crawl summary" in output
    assert "1 ok, 1 failed" in output
    assert "HTTP 404" in output
    assert Article.objects.count() == 20
