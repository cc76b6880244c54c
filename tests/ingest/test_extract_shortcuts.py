"""The extraction's speed shortcuts give what the slower calls they replace give."""

from __future__ import annotations

from copy import deepcopy

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_metainfo
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_XPATHS, RAW_TREE_PRUNE_XPATH

from newsdesk.ingest.candidates import _MAY_HIDE, _visible_copy
from newsdesk.ingest.extract import extract_article, parse_html
from newsdesk.ingest.links import anchor_texts, page_anchors, prose_links, relink
from newsdesk.ingest.metadata import (
    _AUTHOR_CANDIDATES,
    _BYLINE_XPATHS,
    _ITEMPROP_DATETIMES,
    author_box_text,
)

PAGE = """<!DOCTYPE html><html lang="en"><head><title>T</title></head><body>
<div class="nav"><a href="/">Home</a> <a href="/world">World news</a></div>
<form><input name="q" value="x"><select><option>a</option></select><label>L</label></form>
<article><h1>Headline</h1>
<p>The council met on Tuesday and <a href="/budget">approved the budget</a> for next year,
after a long debate about the new library and the harbour works.</p>
<p>Residents who spoke at the meeting asked for more buses on the evening routes.</p>
</article></body></html>"""


def _tree(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def test_parse_html_gives_the_tree_trafilatura_loads() -> None:
    ours, theirs = _tree(PAGE), load_html(PAGE)
    assert etree.tostring(ours) == etree.tostring(theirs)
    # Every element, form fields included, has the HtmlElement API, copies too.
    for tree in (ours, deepcopy(ours)):
        elements = list(tree.iter())
        assert elements and all(isinstance(e, HtmlElement) for e in elements)
        assert "Headline" in tree.text_content()


def test_parse_html_rejects_a_stray_fragment_like_load_html() -> None:
    assert parse_html("<p>just one block</p>") is None
    assert load_html("<p>just one block</p>") is None


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="byline"><span class="author-name">Ann Lee</span></div>',
        '<p>By <a rel="author" href="/a">Ann Lee</a></p>',
        '<div id="authorbox"><p>Ann Lee</p></div><span class="zuozhe">Bo Li</span>',
        '<span itemprop="author">Ann Lee</span><h4 class="posted-by">Bo Li</h4>',
        '<div data-component="Byline">Ann Lee</div><div class="writer-x">Bo Li</div>',
        '<author>Ann Lee</author><div class="AuthorName">Bo Li</div>',
        '<div class="author">x</div><div class="author">' + "y" * 300 + "</div>",
        '<div class="Author-bio">Ann</div><p class="byl">Bo Li</p>',
        "<p>No author here at all.</p>",
    ],
)
def test_author_box_text_matches_trafilaturas_author_xpaths(markup: str) -> None:
    tree = _tree(f"<html><head></head><body><main>{markup}</main><p>text</p></body></html>")
    expected = extract_metainfo(tree, AUTHOR_XPATHS, len_limit=120) or ""
    assert author_box_text(tree, len_limit=120) == expected


# The searches as first written, one test on every element, beside the
# attribute-first forms that replace them.
_ATTRIBUTE_FIRST = [
    *zip(
        _BYLINE_XPATHS,
        (
            '//*[@itemprop="author"]//*[@itemprop="name"]',
            '//*[@rel="author"]',
            '//a[contains(@href, "/author/")]',
            '//*[contains(@class, "byline")]//a',
            '//*[contains(@class, "byline") or contains(@class, "author-name")]',
            '//*[@itemprop="author"]',
        ),
        strict=True,
    ),
    (
        _AUTHOR_CANDIDATES,
        "//*[@class or @id or @rel or @itemprop or @data-testid or @data-component] | //author",
    ),
    (_ITEMPROP_DATETIMES, "//*[@itemprop][@datetime]"),
    (_MAY_HIDE, "//*[@hidden or (@style and contains(translate(@style, 'NOE', 'noe'), 'none'))]"),
]
_ATTRIBUTES_PAGE = (
    '<div itemprop="author"><span itemprop="name">Ann Lee</span></div>'
    '<p class="byline x">By <a rel="author" href="/author/ann">Ann Lee</a></p>'
    '<span class="author-name" id="a1">Bo Li</span><a href="/authors/">All</a>'
    '<div class="bylines"><a href="/b">Bo</a><p itemprop="author">Cy</p></div>'
    '<div data-testid="AuthorCard"><author>Di</author></div><b data-component="Byline">E</b>'
    '<time itemprop="datePublished" datetime="2024-01-02">Jan 2</time><time datetime="x">y</time>'
    '<p hidden>h</p><p style="DISPLAY: NONE">n</p><p style="color: red">r</p>'
)


@pytest.mark.parametrize(("ours", "theirs"), _ATTRIBUTE_FIRST, ids=lambda x: str(x)[:40])
def test_attribute_first_xpaths_select_what_the_element_tests_select(
    ours: etree.XPath, theirs: str
) -> None:
    """Selecting attributes, then their elements, finds the same elements in the same order."""
    tree = _tree(f"<html><head></head><body><main>{_ATTRIBUTES_PAGE}</main></body></html>")
    found = ours(tree)
    assert found == tree.xpath(theirs)
    assert found


@pytest.mark.parametrize(
    "container",
    [
        '<div class="infinite-scroll"><p>Second article, appended below.</p></div>',
        '<section id="mvp-post-add-box"><h1>Other</h1><p>More.</p></section>',
        '<div class="elementor-share-buttons"><a href="/s">Share</a></div>',
        '<div class="infinitely-nice"><p>Kept: not a scroll container.</p></div>',
    ],
)
def test_visible_copy_prunes_what_trafilatura_prunes(container: str) -> None:
    html = (
        "<html><head></head><body><article><h1>Title</h1><p>Body text.</p></article>"
        f'{container}<p hidden>secret</p><p style="Display: NONE">gone</p>'
        '<p style="color: none-ish">kept</p></body></html>'
    )
    tree = _tree(html)
    reference = deepcopy(tree)
    for element in reference.xpath("//*[@hidden]"):
        element.drop_tree()
    for element in reference.xpath("//*[@style]"):
        if "display" in element.get("style", "").lower():
            element.drop_tree()
    reference = prune_unwanted_nodes(reference, RAW_TREE_PRUNE_XPATH)
    visible = _visible_copy(tree)
    assert etree.tostring(visible) == etree.tostring(reference)
    assert "secret" not in visible.text_content() and "gone" not in visible.text_content()
    assert "kept" in visible.text_content()


def test_relink_ignores_links_whose_words_are_not_in_the_body() -> None:
    body = etree.Element("body")
    paragraph = etree.SubElement(body, "p")
    paragraph.text = "They approved the budget on Tuesday."
    links = {"approved the budget": "/budget", "somewhere else entirely": "/else"}
    relink(body, links)
    refs = body.findall(".//ref")
    assert [(r.text, r.get("target")) for r in refs] == [("approved the budget", "/budget")]
    assert "".join(body.itertext()) == "They approved the budget on Tuesday."


def test_page_anchors_feed_prose_links_and_drop_links_gone_from_the_page() -> None:
    tree = _tree(PAGE)
    anchors = page_anchors(tree)
    assert prose_links(anchors) == {"approved the budget": "/budget"}
    nav = tree.xpath('//div[@class="nav"]')[0]
    nav.getparent().remove(nav)
    assert anchor_texts(tree, anchors) == frozenset({"approved the budget"})


def test_extract_article_still_returns_plain_text() -> None:
    page = extract_article(PAGE.encode(), url="https://example.org/news/1")
    assert "approved the budget" in page.text
    assert "Residents who spoke" in page.text
    assert "<a" not in page.text
