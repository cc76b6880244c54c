"""add-source finds a site's feed over real HTTP: every advertised type, then common paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.subscribe import SourceError, add_source

pytestmark = pytest.mark.django_db

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
RSS = (FEEDS / "node-feedparser" / "rss2sample.xml").read_bytes()
RDF = (FEEDS / "rss-parser" / "craigslist.rss").read_bytes()
JSON_FEED = (FEEDS / "jsonfeed-spec" / "v1_1_example1.json").read_bytes()
CC_METADATA = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#">
  <cc:License rdf:about="http://creativecommons.org/licenses/by/4.0/"/>
</rdf:RDF>"""
WP_JSON = json.dumps({"id": 2, "title": {"rendered": "About"}, "items": None}).encode()


def page(*links: tuple[str, str]) -> bytes:
    tags = "".join(f'<link rel="alternate" type="{kind}" href="{href}">' for kind, href in links)
    return f"<!doctype html><html><head>{tags}</head><body><p>Home</p></body></html>".encode()


def serve(server: CorpusServer, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        path = server.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)


def test_rdf_metadata_and_json_apis_are_passed_over_for_the_real_feed(
    corpus_server: CorpusServer,
) -> None:
    """Links typed rdf+xml and json that are not feeds are skipped; the RSS link after wins."""
    serve(
        corpus_server,
        {
            "index.html": page(
                ("application/rdf+xml", "/meta.rdf"),
                ("application/json", "/wp-json/wp/v2/pages/2.json"),
                ("application/rss+xml", "/feed.rss"),
            ),
            "meta.rdf": CC_METADATA,
            "wp-json/wp/v2/pages/2.json": WP_JSON,
            "feed.rss": RSS,
        },
    )
    source = add_source(corpus_server.url("index.html")).source
    assert source.feed_url == corpus_server.url("feed.rss")
    assert source.name == "Liftoff News"


@pytest.mark.parametrize(
    ("kind", "name", "body", "title"),
    [
        ("application/rdf+xml", "feed.rdf", RDF, "craigslist"),
        ("application/json", "feed.json", JSON_FEED, "My Example Feed"),
        ("application/feed+json", "feed.json", JSON_FEED, "My Example Feed"),
        (
            "application/atom+xml",
            "feed.atom",
            (FEEDS / "rss-parser" / "heise.atom").read_bytes(),
            "",
        ),
    ],
)
def test_each_advertised_type_is_found(
    corpus_server: CorpusServer, kind: str, name: str, body: bytes, title: str
) -> None:
    """An RSS 1.0, JSON Feed or Atom feed advertised by a page becomes the source."""
    serve(corpus_server, {"index.html": page((kind, f"/{name}")), name: body})
    source = add_source(corpus_server.url("index.html")).source
    assert source.feed_url == corpus_server.url(name)
    assert title.lower() in source.name.lower()


@pytest.mark.parametrize("path", ["index.xml", "feeds/posts/default", "blog/rss.xml"])
def test_common_paths_are_tried_when_nothing_is_advertised(
    corpus_server: CorpusServer, path: str
) -> None:
    """A page that advertises no feed gets the common locations tried, beside it and at the root."""
    serve(corpus_server, {"blog/index.html": page(), path: RSS})
    source = add_source(corpus_server.url("blog/index.html")).source
    assert source.feed_url == corpus_server.url(path)
    asked = [r.path for r in corpus_server.requests if r.path != "/robots.txt"]
    # Tried in order, stopping at the first feed.
    assert asked[-1] == f"/{path}"
    assert len(asked) == len(set(asked))


def test_no_feed_anywhere_says_what_was_tried(corpus_server: CorpusServer) -> None:
    """When neither links nor common paths give a feed, the error names what was tried."""
    serve(corpus_server, {"index.html": page()})
    with pytest.raises(SourceError, match=r"neither a feed nor a page that links to one; tried 8"):
        add_source(corpus_server.url("index.html"))
