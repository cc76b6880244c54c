"""The demo corpus and its catalog: complete, honest, small, and servable over HTTP."""

from __future__ import annotations

import calendar
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
import trafilatura
from trafilatura.utils import decode_file

from newsdesk.demo.catalog import (
    CATEGORIES,
    EDITORS,
    PLACEHOLDER,
    SOURCES,
    DemoSource,
    corpus_root,
    render_corpus,
    source_url,
)
from newsdesk.demo.server import CorpusServer

BASE = "http://127.0.0.1:8765"
SIZE_CAP = 8 * 1024 * 1024
BUILT = [s for s in SOURCES if s.kind == "built-feed"]
REAL = [s for s in SOURCES if s.kind == "real-feed"]
BROKEN = [s for s in SOURCES if s.kind == "broken"]
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    summary: str
    published: datetime


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_corpus(BASE, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusServer]:
    """A real corpus server on 127.0.0.1 serving the tree rendered for its own address."""
    root = tmp_path_factory.mktemp("www")
    with CorpusServer(root) as server:
        render_corpus(server.base_url, root)
        yield server


def read_built_feed(path: Path) -> tuple[str, str, list[Item]]:
    """Return a built feed's title, language and items, whatever its format."""
    if path.suffix == ".json":
        document = json.loads(path.read_text(encoding="utf-8"))
        items = [
            Item(
                item["title"],
                item["url"],
                item["summary"],
                datetime.fromisoformat(item["date_published"]),
            )
            for item in document["items"]
        ]
        return document["title"], document["language"], items
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    items = [
        Item(
            entry.title,
            entry.link,
            entry.summary,
            datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC),
        )
        for entry in parsed.entries
    ]
    return parsed.feed.title, parsed.feed.language, items


def page_for(link: str, root: Path) -> Path:
    assert link.startswith(BASE + "/"), link
    return root / link.removeprefix(BASE + "/")


def flat(text: str) -> str:
    """Collapse whitespace (NBSP included) so text from markup and metadata compare."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def page_texts(path: Path) -> tuple[str, str, str]:
    """Return a page as markup (for meta descriptions) and as text with tags dropped or spaced."""
    markup = decode_file(path.read_bytes())
    return (
        flat(html.unescape(markup)),
        flat(html.unescape(re.sub(r"<[^>]+>", "", markup))),
        flat(html.unescape(re.sub(r"<[^>]+>", " ", markup))),
    )


def entry_text(entry: feedparser.FeedParserDict) -> str:
    content = entry.get("content") or [{"value": entry.get("summary", "")}]
    return flat(re.sub(r"<[^>]+>", " ", html.unescape(content[0]["value"])))


def test_catalog_has_enough_sources_categories_and_kinds() -> None:
    """The demo offers at least 8 sources in 3 categories, mixing real and built feeds."""
    assert len(SOURCES) >= 8
    assert len({s.category for s in SOURCES}) >= 3
    assert len(REAL) >= 4
    assert len(BUILT) >= 4
    assert len(BROKEN) == 1


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.path)
def test_every_source_has_a_known_category_editor_and_kind(source: DemoSource) -> None:
    """Each source files into a listed category, has a listed editor and a known kind."""
    assert source.category in {slug for _, slug, _ in CATEGORIES}
    assert source.editor_slug in {editor.slug for editor in EDITORS}
    assert source.kind in ("real-feed", "built-feed", "story-feed", "broken")


def test_names_paths_and_slugs_are_unique() -> None:
    """No two sources, editors or categories collide on what the database keeps unique."""
    assert len({s.path for s in SOURCES}) == len(SOURCES)
    assert len({s.name for s in SOURCES}) == len(SOURCES)
    assert len({e.slug for e in EDITORS}) == len(EDITORS)
    assert len({slug for _, slug, _ in CATEGORIES}) == len(CATEGORIES)
    assert len({order for _, _, order in CATEGORIES}) == len(CATEGORIES)


def test_every_editor_has_a_bio_and_looks_after_a_source() -> None:
    """Editors carry a name and bio, and each one looks after at least one source."""
    for editor in EDITORS:
        assert editor.name in editor.bio
        assert any(s.editor_slug == editor.slug for s in SOURCES)


def test_built_feeds_cover_rss_atom_and_json_and_several_languages() -> None:
    """Built feeds come in all three formats, and some are not in English."""
    assert {Path(s.path).suffix for s in BUILT} == {".rss", ".atom", ".json"}
    assert len({s.language for s in BUILT} - {"en"}) >= 2


def test_broken_source_says_so() -> None:
    """The broken source is marked as broken on purpose, in its name and its note."""
    for source in BROKEN:
        assert "broken on purpose" in source.name.lower()
        assert "broken on purpose" in source.note.lower()


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.path)
def test_every_source_path_exists_in_the_rendered_tree(source: DemoSource, rendered: Path) -> None:
    """render_corpus writes a file for every source of the catalog."""
    assert (rendered / source.path).is_file()


def test_rendering_fills_in_the_base_url_and_nothing_else(rendered: Path) -> None:
    """Templates get the base URL; every other file is copied byte for byte."""
    shipped = {p.relative_to(corpus_root()) for p in corpus_root().rglob("*") if p.is_file()}
    written = {p.relative_to(rendered) for p in rendered.rglob("*") if p.is_file()}
    assert written == shipped - {Path("ORIGIN.md")}
    for relative in written:
        body = (rendered / relative).read_bytes()
        assert PLACEHOLDER.encode() not in body
        if relative.parts[:2] == ("feeds", "built"):
            assert BASE.encode() in body
        else:
            assert body == (corpus_root() / relative).read_bytes()


@pytest.mark.parametrize(
    "base_url",
    ["", "127.0.0.1:8000", "ftp://127.0.0.1", "http://127.0.0.1/a b", 'http://x/"', "http://x/&"],
)
def test_render_refuses_a_base_url_that_would_break_the_feeds(
    base_url: str, tmp_path: Path
) -> None:
    """A base URL that is not http(s) or needs escaping in XML/JSON is refused."""
    with pytest.raises(ValueError, match="base URL"):
        render_corpus(base_url, tmp_path)


def test_source_url_joins_base_and_path() -> None:
    """A trailing slash on the base URL does not double up."""
    assert source_url(BASE + "/", SOURCES[0]) == f"{BASE}/{SOURCES[0].path}"


@pytest.mark.parametrize("source", BUILT, ids=lambda s: s.path)
def test_built_feed_items_link_to_pages_in_the_tree(source: DemoSource, rendered: Path) -> None:
    """A built feed parses, names itself and its language, and links only to corpus pages."""
    title, language, items = read_built_feed(rendered / source.path)
    assert title == source.name
    assert language == source.language
    assert len(items) >= 5
    for item in items:
        page = page_for(item.link, rendered)
        assert page.is_file(), item.link
        assert page.suffix == ".html"
        # Only a short summary: the page itself must be extracted.
        assert 40 <= len(item.summary) <= 400, item.title


@pytest.mark.parametrize("source", BUILT, ids=lambda s: s.path)
def test_built_feed_metadata_comes_from_the_pages(source: DemoSource, rendered: Path) -> None:
    """Titles and summaries appear in the linked page; dates match the page's own date."""
    for item in read_built_feed(rendered / source.path)[2]:
        page = page_for(item.link, rendered)
        texts = page_texts(page)
        assert any(flat(item.title) in text for text in texts), item.title
        summary = flat(item.summary).removesuffix(" …")
        assert any(summary in text for text in texts), item.summary
        found = trafilatura.extract_metadata(page.read_bytes()).date
        assert found, item.link
        # Some pages give a local day, others a UTC timestamp: allow one day apart.
        apart = abs((item.published.date() - date.fromisoformat(found[:10])).days)
        assert apart <= 1, (item.title, item.published, found)


@pytest.mark.parametrize("source", REAL, ids=lambda s: s.path)
def test_real_feeds_carry_full_content_and_public_links(source: DemoSource, rendered: Path) -> None:
    """Real feeds need no page fetch: entries hold substantial text and link off the corpus."""
    parsed = feedparser.parse((rendered / source.path).read_bytes())
    assert len(parsed.entries) >= 5
    assert median(len(entry_text(e)) for e in parsed.entries) >= 800
    for entry in parsed.entries:
        link = urlsplit(entry.link)
        assert link.scheme in ("http", "https")
        assert link.hostname not in (None, "127.0.0.1", "localhost")


@pytest.mark.parametrize("source", BROKEN, ids=lambda s: s.path)
def test_broken_source_is_a_page_without_a_feed(source: DemoSource, rendered: Path) -> None:
    """The broken source is HTML with no entries and no feed to discover."""
    body = (rendered / source.path).read_bytes()
    assert feedparser.parse(body).entries == []
    assert b"<html" in body.lower()
    assert b"alternate" not in body.lower()


def test_origin_names_every_file_of_the_corpus() -> None:
    """ORIGIN.md accounts for every file shipped in the corpus folder."""
    origin = (corpus_root() / "ORIGIN.md").read_text(encoding="utf-8")
    for path in corpus_root().rglob("*"):
        relative = path.relative_to(corpus_root()).as_posix()
        if path.is_file() and relative != "ORIGIN.md":
            assert f"`{relative}`" in origin, relative


def test_corpus_stays_under_the_size_cap() -> None:
    """The corpus stays small enough to ship in the repository."""
    total = sum(p.stat().st_size for p in corpus_root().rglob("*") if p.is_file())
    assert total < SIZE_CAP


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.path)
def test_each_source_is_served_over_http(source: DemoSource, served: CorpusServer) -> None:
    """GET of each source URL answers 200: feeds as feeds, the broken one as an HTML page."""
    with httpx.Client(trust_env=False) as client:
        response = client.get(source_url(served.base_url, source))
    assert response.status_code == 200
    content_type = response.headers["content-type"]
    if source.kind == "broken":
        assert content_type == "text/html"
        assert feedparser.parse(response.content).entries == []
    else:
        assert content_type in FEED_TYPES


@pytest.mark.parametrize("source", BUILT, ids=lambda s: s.path)
def test_built_feed_links_are_served_as_pages(source: DemoSource, served: CorpusServer) -> None:
    """Every item link of a built feed answers 200 with HTML from the same server."""
    with httpx.Client(trust_env=False) as client:
        body = client.get(source_url(served.base_url, source)).content
        links = re.findall(rb"/pages/[^\"<]+\.html", body)
        assert links
        for link in links:
            response = client.get(served.base_url + link.decode())
            assert response.status_code == 200, link
            assert response.headers["content-type"] == "text/html"


def test_a_refetched_built_feed_is_not_modified(served: CorpusServer) -> None:
    """A conditional GET with the ETag of a rendered feed answers 304."""
    url = source_url(served.base_url, BUILT[0])
    with httpx.Client(trust_env=False) as client:
        etag = client.get(url).headers["etag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
