"""The rules candidate's shortcuts give what trafilatura's own calls give."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.baseline import html2txt
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.settings import BASIC_CLEAN_XPATH, Document
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from newsdesk.ingest.candidates import rules_body
from newsdesk.ingest.evaluation.corpus import load_corpus
from newsdesk.ingest.extract import parse_html
from newsdesk.ingest.rules import (
    _BANNER_TEST,
    _BANNERS,
    _PLAIN_PATH,
    Signs,
    page_text,
    read_signs,
)
from newsdesk.ingest.text import decode_html

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "extraction" / "articles"
PAGES = load_corpus(ARTICLES)

ARTICLE = (
    "<article><h1>Harbour works</h1>"
    + "".join(
        f"<p>The council met on day {n} and approved the budget for the harbour works,"
        " after a long debate about the new library and the evening buses.</p>"
        for n in range(6)
    )
    + "</article>"
)
# Pages on which each regex removal has something to remove, and one where a
# class holds a word of the banner pattern in a case only case-blind matching sees.
MARKUP = {
    "appended": '<div class="infinite-scroll"><p>Second article, appended below.</p></div>',
    "appended id": '<section id="mvp-post-add-box"><p>More stories.</p></section>',
    "share bar": '<div class="elementor-share-buttons"><a href="/s">Share</a></div>',
    "comments class": '<div class="comments-area"><p>First! Great piece.</p></div>',
    "comments id": '<section id="disqus_thread"><p>A reader comment.</p></section>',
    "comment list": '<ul class="post-comments"><li>Nice.</li><li>Agreed.</li></ul>',
    "commentary kept": '<div class="commentary"><p>An essay, not comments.</p></div>',
    "banner": '<div id="cookie-banner"><p>We use cookies. Accept?</p></div>',
    "banner, odd case": '<div class="COOK\u0130E-notice"><p>We use cookies.</p></div>',
    "nothing": '<div class="sidebar"><p>Related reading.</p></div>',
}


def _tree(html: str) -> HtmlElement:
    tree = parse_html(html)
    assert tree is not None
    return tree


def _page(markup: str) -> HtmlElement:
    return _tree(f"<html><head><title>T</title></head><body>{ARTICLE}{markup}</body></html>")


def _trafilatura_body(tree: HtmlElement, url: str) -> bytes | None:
    document = bare_extraction(
        deepcopy(tree),
        url=url or None,
        fast=True,
        include_comments=False,
        include_formatting=False,
        include_links=False,
        include_images=False,
        include_tables=True,
    )
    if not isinstance(document, Document) or document.body is None:
        return None
    return etree.tostring(document.body)


def _ours(tree: HtmlElement, url: str) -> bytes | None:
    body = rules_body(tree, url=url, signs=read_signs(tree))
    return None if body is None else etree.tostring(body)


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_signs_hold_where_trafilaturas_removals_match(name: str) -> None:
    """A removal whose sign is off has nothing to remove on the page."""
    tree = _page(MARKUP[name])
    signs = read_signs(tree)
    removals = {
        "appended": any(xpath(tree) for xpath in RAW_TREE_PRUNE_XPATH),
        "comments": bool(REMOVE_COMMENTS_AND_LISTS_XPATH[0](tree)),
        "consent": len(BASIC_CLEAN_XPATH(tree)) > len(etree.XPath(_PLAIN_PATH)(tree)),
    }
    for sign, matches in removals.items():
        assert getattr(signs, sign) or not matches, sign
    assert any(removals.values()) == (name not in {"nothing", "commentary kept"})


@pytest.mark.parametrize("name", sorted(MARKUP))
def test_rules_body_is_bare_extractions_body(name: str) -> None:
    """On each kind of page the rules' body is trafilatura's, and the page is left unchanged."""
    tree = _page(MARKUP[name])
    before = etree.tostring(tree)
    assert _ours(tree, "https://example.org/a") == _trafilatura_body(tree, "https://example.org/a")
    assert etree.tostring(tree) == before


def test_rules_body_is_bare_extractions_body_on_the_golden_pages() -> None:
    """The same on every held-back corpus page (escalation, rescue and empty pages included)."""
    differ = []
    for page in PAGES:
        tree = parse_html(decode_html(page.read()))
        if tree is not None and _ours(tree, page.url) != _trafilatura_body(tree, page.url):
            differ.append(page.key)
    assert differ == []


def test_page_text_is_html2txt() -> None:
    """page_text gives html2txt's text, with the banner test skipped or not."""
    trees = [_page(markup) for markup in MARKUP.values()]
    trees += [t for p in PAGES[::5] if (t := parse_html(decode_html(p.read()))) is not None]
    for tree in trees:
        expected = html2txt(tree)
        assert page_text(tree, read_signs(tree)) == expected
        assert page_text(tree, Signs()) == expected


def test_the_plain_clean_up_is_trafilaturas_without_the_banner_test() -> None:
    """What page_text leaves out of BASIC_CLEAN_XPATH is its last test, the banner regexes."""
    assert BASIC_CLEAN_XPATH.path == _PLAIN_PATH + _BANNERS + _BANNER_TEST
    assert "re:test" not in _PLAIN_PATH
    assert "cookie" in _BANNER_TEST and "|.//" not in _BANNER_TEST


def test_signs_off_skip_the_regex_prunes() -> None:
    """With every sign off, the raw-tree prunes have nothing to do on a plain page."""
    tree = _page(MARKUP["nothing"])
    assert read_signs(tree) == Signs(appended=False, comments=False, consent=False)
    pruned = prune_unwanted_nodes(deepcopy(tree), RAW_TREE_PRUNE_XPATH)
    pruned = prune_unwanted_nodes(pruned, REMOVE_COMMENTS_AND_LISTS_XPATH)
    assert etree.tostring(pruned) == etree.tostring(tree)
