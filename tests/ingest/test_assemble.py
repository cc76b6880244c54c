"""Assembling an article: every stored text field clean, titles kept as text."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest

from newsdesk.ingest.assemble import assemble_article
from newsdesk.ingest.types import ExtractedPage, ParsedEntry

SEEN = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
BAD = "\x00\x08\x0b\x1b\x7f\ud83d\ufffe\U0010ffff"
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\U0010ffff]")


def assemble(entry: ParsedEntry, page: ExtractedPage | None = None) -> dict[str, object]:
    prepared = assemble_article(
        entry,
        page=page,
        feed_url="https://news.example/feed.xml",
        source_language="en",
        feed_language="",
        first_seen=SEEN,
    )
    return dataclasses.asdict(prepared)


def test_every_stored_text_field_is_clean() -> None:
    """Control characters, lone surrogates and noncharacters reach no stored field."""
    entry = ParsedEntry(
        guid=f"id{BAD}1",
        url=f"https://news.example/a{BAD}b",
        title=f"Title{BAD} here",
        summary_html=f"<p>Sum{BAD}mary</p>",
        content_html=f"<p>Body{BAD} text</p>" + "<p>More words here.</p>" * 60,
        author=f"Au{BAD}thor",
        image_url=f"https://news.example/i{BAD}.jpg",
    )
    fields = assemble(entry)
    texts = {name: value for name, value in fields.items() if isinstance(value, str)}
    assert set(texts) >= {"guid", "url", "slug", "title", "summary", "body_html", "body_text"}
    for name, value in texts.items():
        assert not UNWANTED.search(value), name
        value.encode("utf-8")
    assert fields["title"] == "Title here"
    assert fields["author"] == "Author"
    assert "Body text" in str(fields["body_text"])


def test_page_text_is_clean_too() -> None:
    """Text taken from an extracted page is cleaned like the feed's."""
    entry = ParsedEntry(guid="g", url="https://news.example/a", title="", summary_html="Teaser…")
    page = ExtractedPage(
        html=f"<p>Page{BAD} body</p>",
        text=f"Page{BAD} body " * 20,
        title=f"Page{BAD} title",
        author=f"By{BAD}line",
    )
    fields = assemble(entry, page)
    assert fields["title"] == "Page title"
    assert fields["author"] == "Byline"
    assert not UNWANTED.search(str(fields["body_text"]) + str(fields["body_html"]))


@pytest.mark.parametrize(
    "title",
    ["How to escape a <script> tag", "Tom & Jerry <3", "Use &lt;b&gt; for bold", "a < b > c"],
)
def test_plain_text_titles_keep_their_words(title: str) -> None:
    """A title is stored as the text it is: nothing that looks like markup is eaten."""
    entry = ParsedEntry(guid="g", url="https://news.example/a", title=title, content_html="x")
    assert assemble(entry)["title"] == title
