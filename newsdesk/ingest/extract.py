"""Take the main content and metadata out of an article page.

The page is decoded and parsed once. Embedded posts become quote blocks
(embeds.py); trafilatura's main extractor and readability each read a copy of
the tree (candidates.py) and their bodies are merged block by block
(combine.py). The merged body is split into blocks, page furniture and the
source's learned template are dropped (body.py, boilerplate.py, template.py),
and the result is rendered as simple HTML (figures with captions, embeds as
linked quotes) and as plain text (neither captions nor alt text). Metadata
comes from metadata.py. The HTML is not sanitized: sanitize.py does that next.
"""

from __future__ import annotations

import contextlib
import logging
import re

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from lxml.html import fromstring as html_fromstring
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newsdesk.core.text import plain_text
from newsdesk.core.urls import is_http_url
from newsdesk.ingest.body import (
    Block,
    drop_furniture,
    page_captions,
    render_html,
    render_text,
    split_blocks,
)
from newsdesk.ingest.combine import choose_body
from newsdesk.ingest.embeds import replace_embeds
from newsdesk.ingest.errors import ExtractError
from newsdesk.ingest.figures import mark_figures
from newsdesk.ingest.links import anchor_texts, page_anchors, prose_links
from newsdesk.ingest.metadata import read_metadata
from newsdesk.ingest.template import SourceTemplate, block_print, template_host
from newsdesk.ingest.text import decode_html
from newsdesk.ingest.types import ExtractedPage

logger = logging.getLogger(__name__)

# Below this much text a "main content" is a menu or a stray caption, not an article.
MIN_TEXT_CHARS = 50
# Below this much plain text a feed entry is a teaser, not the article.
FULL_TEXT_MIN_CHARS = 500
# How teasers end: an ellipsis or a link to the rest.
_TEASER_END = re.compile(
    r"(…|\.\.\.|\[\s*(…|\.\.\.)\s*\]|\(\s*more\s*(…|\.\.\.)?\s*\)|read more|continue reading"
    r"|read the full (article|story|post)|weiterlesen|lire la suite|leer más|seguir leyendo)"
    r"[\s\W]*$",
    re.IGNORECASE,
)


def extract_article(
    html: bytes, *, url: str, template: SourceTemplate | None = None
) -> ExtractedPage:
    """Return the main content of an article page, or raise ExtractError.

    ``template`` holds the boilerplate learned from the source's other pages;
    its blocks are dropped from this page's body.
    """
    tree = _parse(html)
    base = url if is_http_url(url) else ""
    metadata = read_metadata(tree, base=base)
    captions = page_captions(tree)
    anchors = page_anchors(tree)
    links = prose_links(anchors)
    embeds = replace_embeds(tree)
    figures = mark_figures(tree)
    body = choose_body(tree, url=base)
    if body is None:
        raise ExtractError("no main text found")
    blocks = split_blocks(body, embeds, figures, anchor_texts(tree, anchors))
    host = template_host(metadata.canonical_url or base)
    learned = template.prints_for(host) if template is not None else frozenset()
    drop_furniture(blocks, title=metadata.title, captions=captions, learned=learned)
    text = render_text(blocks)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("no main text found")
    return ExtractedPage(
        html=render_html(blocks, links),
        text=text,
        title=metadata.title,
        author=metadata.author,
        published=metadata.published,
        published_day_only=metadata.published_day_only,
        updated=metadata.updated,
        image_url=metadata.image_url,
        language=metadata.language,
        canonical_url=metadata.canonical_url,
        description=metadata.description,
        template_host=host,
        block_prints=_prints(blocks),
    )


def needs_full_text(summary_html: str, content_html: str) -> bool:
    """Tell whether a feed entry carries only a teaser, so the page must be fetched."""
    text = plain_text(content_html) or plain_text(summary_html)
    if len(text) < FULL_TEXT_MIN_CHARS:
        return True
    return bool(_TEASER_END.search(text[-80:]))


def _prints(blocks: list[Block]) -> tuple[str, ...]:
    """Prints of every text block before learned boilerplate was dropped, for learning."""
    return tuple(
        value
        for block in blocks
        if block.dropped in {"", "learned"} and (value := block_print(block.view.text))
    )


def _parse(html: bytes) -> HtmlElement:
    if not html or not html.strip():
        raise ExtractError("empty page")
    if b"\x00" in html[:1024] and not html.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NUL bytes early on and no UTF-16 BOM: an image, a PDF, an archive.
        raise ExtractError("not an HTML page")
    try:
        tree = parse_html(decode_html(html))
    except Exception as error:
        raise ExtractError(f"unreadable HTML: {type(error).__name__}") from error
    if not isinstance(tree, HtmlElement):
        raise ExtractError("unreadable HTML")
    return tree


def _html_parser() -> etree.HTMLParser:
    """trafilatura's parser settings, with every element an ``HtmlElement``.

    lxml.html's own parser picks each element's class (FormElement, InputElement...)
    in a Python callback, run whenever Python touches an element: a tenth of the
    extraction's time. Nothing here uses those form classes, and a lookup in C
    gives the same ``HtmlElement`` API; copies of the tree keep the parser.
    """
    parser = etree.HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser()


def parse_html(text: str) -> HtmlElement | None:
    """Parse a decoded page the way ``trafilatura.utils.load_html`` does, with ``_PARSER``."""
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning)
    tree = None
    # ValueError: "Unicode strings with encoding declaration are not supported."
    with contextlib.suppress(ValueError):
        tree = html_fromstring(text, parser=_PARSER)
    if tree is None or len(tree) < 1:
        tree = html_fromstring(text.encode("utf-8", "surrogatepass"), parser=_PARSER)
    # load_html's rejection test: a "page" that is one stray block is not HTML.
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree
