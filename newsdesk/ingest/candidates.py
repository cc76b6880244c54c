"""Find the article body: trafilatura's main extractor, with a second opinion when in doubt.

trafilatura's main extractor (its rules, without the fallback cascade) is right on
most pages and fast. Where its body looks deficient (short, and holding little of
the text of the page's paragraphs, or no paragraph at all), trafilatura's full
cascade runs as well: it weighs readability's candidate (its bundled port of
readability-lxml) and jusText against its own. Running the cascade only on
those pages keeps extraction about as fast as bare trafilatura.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import Document

logger = logging.getLogger(__name__)


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
        # Without images, links or formatting: asked for them, trafilatura keeps
        # less text on some layouts (see figures.py and links.py).
        document = bare_extraction(
            tree,
            url=url or None,
            fast=fast,
            include_comments=False,
            include_formatting=False,
            include_links=False,
            include_images=False,
            include_tables=True,
        )
    except Exception as error:
        # trafilatura and its helpers (courlan, justext) can fail in many ways on
        # hostile markup; for the pipeline it is one bad page.
        logger.info("extraction failed", extra={"error": type(error).__name__})
        return None
    if not isinstance(document, Document) or document.body is None:
        return None
    return document.body
