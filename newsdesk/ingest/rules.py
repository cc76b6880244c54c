"""Run trafilatura's main extractor the way ``bare_extraction(fast=True)`` does, for less.

``bare_extraction`` runs the rules cascade (``trafilatura_sequence``), then
serializes the body to text, which extraction never reads. The cascade spends
much of its time on work that decides nothing on most pages:

* three XPaths (the raw-tree prune, the comment prune, and html2txt's clean-up)
  call a Python regex on every element, although on most pages no class or id
  holds the words those regexes need: ``read_signs`` tells, in one plain XPath
  over the page's classes and ids, which of them can match anything;
* it builds a backup copy of the cleaned tree that only the fallback
  comparison reads (off in fast mode), and its options from trafilatura's
  config file on every call.

``rules_sequence`` is ``trafilatura_sequence`` for these settings (fast, no
comments, balanced focus) with those shortcuts; the body it returns is the same
element for element (tests/ingest/test_rules.py compares the two). It leans on
trafilatura's internals, which that test checks after an upgrade.
"""

from __future__ import annotations

import re
from copy import copy, deepcopy
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import core as trafilatura_core
from trafilatura.baseline import _spaced_text, baseline
from trafilatura.core import (
    ESCALATION_ACCEPT_RATIO,
    ESCALATION_MAX_LENGTH,
    ESCALATION_PAGE_SHARE,
)
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import _COOKIE_CONSENT_RE, BASIC_CLEAN_XPATH, Extractor
from trafilatura.xml import delete_element
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH


@dataclass(frozen=True)
class Signs:
    """Which of trafilatura's regex-driven removals can match anything on a page."""

    # RAW_TREE_PRUNE_XPATH: infinite-scroll containers, appended articles, share bars.
    appended: bool = True
    # REMOVE_COMMENTS_AND_LISTS_XPATH: comment sections.
    comments: bool = True
    # BASIC_CLEAN_XPATH's test for cookie and consent banners.
    consent: bool = True


# Signs not read: every removal runs, as in trafilatura.
UNREAD = Signs()


def read_signs(tree: HtmlElement) -> Signs:
    """Read the page's classes and ids once for the words each removal needs.

    trafilatura's own patterns (without the XPaths' tag tests) run over all the
    values at once, one per line, each behind a substring test that is cheaper
    still: a removal they rule out matches nothing. The removals run later on
    copies of ``tree`` with elements taken out, never added, so a sign read here
    holds for them.
    """
    values = "\n".join(_CLASSES_AND_IDS(tree))
    appended = ("infinite" in values or "mvp-post-add-" in values) and bool(
        _APPENDED.search(values)
    )
    comments = ("omment" in values or "comol" in values or "disqus_thread" in values) and bool(
        _COMMENTS_ID.search(values) or _COMMENTS_CLASS.search(values)
    )
    # The banner pattern ignores case: on text folded the same way it need not.
    folded = values.translate(_FOLD).lower()
    consent = any(word in folded for word in _CONSENT_WORDS) and bool(_CONSENT.search(folded))
    return Signs(
        appended=appended or "elementor-share-buttons" in values,
        comments=comments,
        consent=consent,
    )


# Every class and id value (two walks in C: the fastest form measured).
_CLASSES_AND_IDS = etree.XPath("//@class | //@id")
# trafilatura's patterns (xpaths.py, settings.py), anchored at each line.
_APPENDED = re.compile(r"mvp-post-add-(?:box|wrap)|infinite-?scroll")
_COMMENTS_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)", re.MULTILINE)
_COMMENTS_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments", re.MULTILINE)
_CONSENT = re.compile(_COOKIE_CONSENT_RE)
# Every match of the banner pattern holds one of these words.
_CONSENT_WORDS = ("cookie", "consent", "borlabs", "cmplz", "onetrust", "moove")
# Case-blind matching takes these four letters for ASCII ones (dotted and
# dotless i, long s, the Kelvin sign); str.lower() alone keeps them apart.
_FOLD = str.maketrans("\u0130\u0131\u017f\u212a", "iisk")


def with_url(options: Extractor, url: str) -> Extractor:
    """A copy of ``options`` for the page at ``url``.

    Options are built once and copied: building them reads trafilatura's config
    file, a quarter of a millisecond a call.
    """
    page_options = copy(options)
    page_options.url = url or None
    page_options.source = url.encode("utf-8", "replace").decode("utf-8") if url else None
    return page_options


# What ``bare_extraction`` builds for the arguments of candidates.rules_body.
RULES_OPTIONS = Extractor(
    fast=True,
    comments=False,
    formatting=False,
    links=False,
    images=False,
    tables=True,
    output_format="python",
)


def rules_sequence(
    tree: HtmlElement, options: Extractor, signs: Signs = UNREAD
) -> etree._Element | None:
    """The rules' body of ``tree``, or None where bare_extraction has none.

    ``tree`` is left as it was: every later step works on a copy of its own, so
    the page is copied here only when a prune is to change it.
    """
    is_forum = trafilatura_core._forum_thread_page(tree)
    # Comments off: comment sections go first, except on a forum thread in
    # balanced focus, where the "comments" are the posts.
    prune_comments = signs.comments and not is_forum
    if signs.appended or prune_comments:
        tree = deepcopy(tree)
    if signs.appended:
        tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if prune_comments:
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    body, text = extract_content(_prepared(tree, options), options)
    # Stage 3, baseline rescue, accepted only if it adds text.
    if len(text) < options.min_extracted_size:
        rescue, rescue_text, rescue_length = baseline(tree)
        if rescue_length > len(text):
            body, text = rescue, rescue_text
    # Stage 4, recall escalation of a short result covering little of the page.
    if 0 < len(text) < ESCALATION_MAX_LENGTH and len(text) < ESCALATION_PAGE_SHARE * len(
        page_text(tree, signs)
    ):
        body, text = _escalated(tree, options, body, text)
    # bare_extraction's size check (no comments to count).
    if len(text) < options.min_output_size:
        return None
    return body


def _escalated(
    tree: HtmlElement, options: Extractor, body: etree._Element, text: str
) -> tuple[etree._Element, str]:
    """The rules in recall focus, when they find clearly more (trafilatura's stage 4)."""
    recall = copy(options)
    recall.focus = "recall"
    try:
        retry, retry_text = extract_content(_prepared(tree, recall), recall)
    except Exception:
        # trafilatura's own guard: the retry is a bonus.
        return body, text
    if len(retry_text) >= options.min_extracted_size and len(
        retry_text
    ) > ESCALATION_ACCEPT_RATIO * len(text):
        return retry, retry_text
    return body, text


def _prepared(tree: HtmlElement, options: Extractor) -> HtmlElement:
    """A cleaned copy of ``tree`` with tags converted (``_prepare_tree`` without its backup)."""
    return convert_tags(tree_cleaning(copy(tree), options), options, options.url)


def page_text(tree: HtmlElement, signs: Signs = UNREAD) -> str:
    """``trafilatura.html2txt(tree)``, without its banner regexes where ``signs`` rule them out."""
    if signs.consent:
        return trafilatura_core.html2txt(tree)
    tree = copy(tree)
    body = tree.find(".//body")
    if body is None:
        body = tree
    for element in BASIC_CLEAN_PLAIN(body):
        delete_element(element)
    return str(_spaced_text(body))


# BASIC_CLEAN_XPATH without its last alternative, the banner regexes
# (test_rules.py checks what is left out).
_PLAIN_PATH, _BANNERS, _BANNER_TEST = BASIC_CLEAN_XPATH.path.partition("|.//*[re:test(")
BASIC_CLEAN_PLAIN = etree.XPath(_PLAIN_PATH)
