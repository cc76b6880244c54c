"""A loopback publisher for the subscribe and OPML tests: a site page, feeds, a non-feed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer

FEEDS = Path(__file__).resolve().parents[1] / "data" / "integration" / "feeds"

SITE_PAGE = """<!doctype html><html><head><title>TPM</title>
<link rel="alternate" type="application/atom+xml" title="All news" href="/feeds/tpm.atom">
</head><body><h1>Talking Points Memo</h1></body></html>"""


@pytest.fixture
def publisher(corpus_server: CorpusServer) -> CorpusServer:
    shutil.copytree(FEEDS, corpus_server.root / "feeds")
    (corpus_server.root / "index.html").write_text(SITE_PAGE)
    return corpus_server
