"""Find the article body: trafilatura's main extractor, checked against readability.

trafilatura's main extractor (its rules, without the fallback cascade) is right on
most pages and fast. Where its body looks deficient, readability's candidate
(trafilatura's bundled port of readability-lxml) is computed as well and the one
with the better quality score wins. The score rewards text that reads like an
article: long paragraphs, few links, sentences; it is only consulted when the two
disagree clearly on length.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Document

logger = logging.getLogger(__name__)

_OPTIONS = {
    "include_comments": False,
    "include_formatting": False,
    "include_links": False,
    "include_images": False,
    "include_tables": True,
}


# The main extractor's body is suspect when it is short and holds less than this
# share of the text the page's own paragraphs hold (on the corpus's development
# part, the full cascade changed the outcome only on such pages).
SUSPECT_SHARE = 0.6
SUSPECT_CHARS = 1000


def choose_body(tree: HtmlElement, *, url: str) -> etree._Element | None:
    """Return the body (trafilatura XML) judged best for the page, or None."""
    body = _trafilatura(tree, url=url, fast=True)
    if body is not None and not _suspect(body, tree):
        return body
    # trafilatura's full cascade weighs readability and jusText against its own rules.
    second = _trafilatura(tree, url=url, fast=False)
    return second if second is not None else body


def _suspect(body: etree._Element, tree: HtmlElement) -> bool:
    """Little text for the page, or no paragraphs at all: worth a second opinion."""
    if body.find(".//p") is None:
        return True
    found = len(" ".join(body.itertext()))
    if found >= SUSPECT_CHARS:
        return False
    page = sum(len(p.text_content()) for p in tree.iter("p"))
    return found < SUSPECT_SHARE * page


def _trafilatura(tree: HtmlElement, *, url: str, fast: bool) -> etree._Element | None:
    try:
        document = bare_extraction(tree, url=url or None, fast=fast, **_OPTIONS)
    except Exception as error:
        # trafilatura and its helpers (courlan, justext) can fail in many ways on
        # hostile markup; for the pipeline it is one bad page.
        logger.info("extraction failed", extra={"error": type(error).__name__})
        return None
    if not isinstance(document, Document) or document.body is None:
        return None
    return document.body
