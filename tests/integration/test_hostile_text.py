"""Hostile text from a real feed server is stored clean and shown as text."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.pipeline import refresh_source
from newsdesk.sources.models import FetchStatus
from newsdesk.stories.models import Article
from tests.site.factories import make_category, make_source

pytestmark = pytest.mark.django_db

BODY = "<p>" + "Words of the article body. " * 40 + "</p>"


def test_control_characters_and_markup_looking_titles_from_a_feed(
    corpus_server: CorpusServer, client: Client
) -> None:
    """A JSON Feed with NULs, control characters and lone surrogates is stored clean (PostgreSQL
    too); titles stay text."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Hostile\u0007 feed",
        "items": [
            {
                "id": "id\u0000-1",
                "url": corpus_server.url("a\u0000b"),
                "title": "How to escape a <script> tag\u001b[0m",
                "content_html": "<p>Lone \ud83d surrogate\u000b and\u007f DEL</p>" + BODY,
                "authors": [{"name": "Ann\u0008 Author"}],
                "date_published": "2025-05-01T10:00:00Z",
            }
        ],
    }
    # ensure_ascii keeps "\ud83d" as the escape a hostile server would send.
    (corpus_server.root / "feed.json").write_text(json.dumps(feed, ensure_ascii=True))
    source = make_source(feed_url=corpus_server.url("feed.json"), category=make_category())
    result = refresh_source(source)
    assert result.status == FetchStatus.OK, result.error
    article = Article.objects.get(source=source)
    assert article.title == "How to escape a <script> tag[0m"
    assert article.author == "Ann Author"
    assert article.guid == "id-1"
    assert article.body_text.startswith("Lone surrogate and DEL")
    assert "\x0b" not in article.body_html and "\x7f" not in article.body_html
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "How to escape a &lt;script&gt; tag" in page.content.decode()
    assert "<script> tag" not in page.content.decode()
    rss = client.get("/feeds/latest.rss")
    assert rss.status_code == 200
