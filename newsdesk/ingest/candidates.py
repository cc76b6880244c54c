"""Run the extractors whose bodies extraction weighs against each other.

Two opinions on one parsed page, neither changing it:

* trafilatura's main extractor (its rules, ``fast``: without its own fallback
  cascade, run by rules.py for less than ``bare_extraction`` costs), precise on
  most pages;
* readability, which scores containers by the prose they hold and recovers
  articles the rules cut short: the port of readability-lxml that trafilatura
  ships and maintains, run on a copy of the tree already parsed. The
  readability-lxml package itself parses the page again and runs lxml's HTML
  Cleaner over it; on the corpus's development part it cost 0.8x bare
  trafilatura's whole time per page, the port a quarter of that, and merged
  with the rules the two scored within 0.004 mean F1 of each other once the
  port got the package's two missing steps back (hidden elements dropped, a
  lenient retry when the first pick is short).

jusText (also bundled with trafilatura) is a third opinion, asked only when
both came back (nearly) empty. Bodies come back in trafilatura's XML (p, head,
list, quote, table...), so combine.py can compare and merge them block by block.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.external import justext_rescue, sanitize_tree
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.readability_lxml import Document as ReadabilityDocument
from trafilatura.settings import Extractor
from trafilatura.utils import fromstring_bytes
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH

from newsdesk.ingest.rules import RULES_OPTIONS, UNREAD, Signs, rules_sequence, with_url

logger = logging.getLogger(__name__)

# Below this much text readability's first pick is retried leniently
# (readability-lxml's ``retry_length``).
RETRY_CHARS = 250
# What readability-lxml treats as hidden.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def rules_body(tree: HtmlElement, *, url: str, signs: Signs = UNREAD) -> etree._Element | None:
    """trafilatura's main extractor on ``tree``, left unchanged (no fallback cascade).

    Without images, links or formatting: asked for them, trafilatura keeps less
    text on some layouts (see figures.py and links.py).
    """
    try:
        return rules_sequence(tree, with_url(RULES_OPTIONS, url), signs)
    except Exception as error:
        # trafilatura and its helpers (courlan, justext) can fail in many ways on
        # hostile markup; for the pipeline it is one bad page.
        logger.info("extraction failed", extra={"error": type(error).__name__})
        return None


def readability_body(
    tree: HtmlElement, *, url: str, signs: Signs = UNREAD
) -> etree._Element | None:
    """readability's article container, converted to trafilatura's XML."""
    try:
        article = _summary(ReadabilityDocument(_visible_copy(tree, signs)))
        if article is None or len(" ".join(article.itertext())) < RETRY_CHARS:
            # readability-lxml's own retry: its first pass removes every element
            # whose class looks like furniture, which can take the article too.
            article = _summary(_LenientDocument(_visible_copy(tree, signs)))
        if article is None:
            return None
        body, _ = sanitize_tree(article, _options(url))
    except Exception as error:
        logger.info("readability failed", extra={"error": type(error).__name__})
        return None
    return _as_body(body)


class _LenientDocument(ReadabilityDocument):
    """readability without its first step, the removal of unlikely-looking elements."""

    def remove_unlikely_candidates(self) -> None:
        return None


def _summary(document: ReadabilityDocument) -> HtmlElement | None:
    found = fromstring_bytes(document.summary())
    return found if isinstance(found, HtmlElement) and len(found) else None


def _visible_copy(tree: HtmlElement, signs: Signs = UNREAD) -> HtmlElement:
    """A copy of the page without hidden elements and what trafilatura prunes first."""
    raw = deepcopy(tree)
    for element in _MAY_HIDE(raw):
        if element.get("hidden") is not None or _HIDDEN_STYLE.search(str(element.get("style"))):
            element.drop_tree()
    # Without this readability can pick an appended second article. The prune's
    # XPaths test every div's class and id with Python regexes (a fifth of
    # readability's cost); the page's signs tell first whether any could match.
    if signs.appended:
        raw = prune_unwanted_nodes(raw, RAW_TREE_PRUNE_XPATH)
    return raw


# Hidden elements, and those whose style says "none" in any case (the regex
# then checks it is display), found as the parents of those attributes (for a
# third less than testing every element, see metadata.py).
_MAY_HIDE = etree.XPath("//@hidden/.. | //@style[contains(translate(., 'NOE', 'noe'), 'none')]/..")


def justext_body(tree: HtmlElement, *, url: str) -> etree._Element | None:
    """jusText's paragraphs, the last resort when both others found nothing."""
    try:
        body, _ = justext_rescue(deepcopy(tree), _options(url))
    except Exception as error:
        logger.info("justext failed", extra={"error": type(error).__name__})
        return None
    return _as_body(body)


def _options(url: str) -> Extractor:
    return with_url(_OPTIONS, url)


# The options readability's and jusText's conversions take (built once, see rules.py).
_OPTIONS = Extractor(comments=False, formatting=False, links=False, images=False, tables=True)


def _as_body(element: etree._Element) -> etree._Element | None:
    """Rename the converted container to ``body`` (the shape the rules' body has)."""
    if element is None or not len(element):
        return None
    element.tag = "body"
    element.attrib.clear()
    return element
