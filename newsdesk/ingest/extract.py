"""Take the main content and metadata out of an article page.

trafilatura finds the article body and the title, author and date; this
module decodes the bytes, reads what trafilatura does not keep (declared
language, canonical link, a precise publication time), turns trafilatura's
body into simple HTML, and reports a page without text as ExtractError.
The HTML returned is not sanitized: sanitize.py does that next.
"""

from __future__ import annotations

import copy
import logging
import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.settings import Document
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from newsdesk.core.languages import normalize_language
from newsdesk.core.text import plain_text
from newsdesk.core.urls import absolute_http_url, is_http_url
from newsdesk.ingest.errors import ExtractError
from newsdesk.ingest.text import decode_html
from newsdesk.ingest.types import ExtractedPage

logger = logging.getLogger(__name__)

# Below this much text a "main content" is a menu or a stray caption, not an article.
MIN_TEXT_CHARS = 50
# Block containers in trafilatura's XML: a <code> elsewhere is inline code.
_BLOCK_PARENTS = frozenset({"body", "doc", "main", "div", "quote"})
# Below this much plain text a feed entry is a teaser, not the article.
FULL_TEXT_MIN_CHARS = 500
# How teasers end: an ellipsis or a link to the rest.
_TEASER_END = re.compile(
    r"(…|\.\.\.|\[\s*(…|\.\.\.)\s*\]|\(\s*more\s*(…|\.\.\.)?\s*\)|read more|continue reading"
    r"|read the full (article|story|post)|weiterlesen|lire la suite|leer más|seguir leyendo)"
    r"[\s\W]*$",
    re.IGNORECASE,
)

_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@property="og:article:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
)
_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')


def extract_article(html: bytes, *, url: str) -> ExtractedPage:
    """Return the main content of an article page, or raise ExtractError."""
    tree = _parse(html)
    try:
        document = bare_extraction(
            tree,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_formatting=True,
            include_links=True,
            include_images=True,
            include_tables=True,
        )
    except Exception as error:
        # trafilatura and its helpers (htmldate, courlan, justext) can fail in
        # many ways on hostile markup; for the pipeline it is one bad page.
        raise ExtractError(f"extraction failed: {type(error).__name__}") from error
    if not isinstance(document, Document) or document.body is None:
        raise ExtractError("no main text found")
    text = _body_text(document.body)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("no main text found")
    base = url if is_http_url(url) else ""
    title = plain_text(document.title or "")
    return ExtractedPage(
        html=_body_html(document.body, title),
        text=text,
        title=title,
        author=plain_text(document.author or ""),
        published=_published(tree, document.date),
        image_url=absolute_http_url(document.image or "", base),
        language=_declared_language(tree),
        canonical_url=_canonical_url(tree, base),
        description=plain_text(document.description or ""),
    )


def needs_full_text(summary_html: str, content_html: str) -> bool:
    """Tell whether a feed entry carries only a teaser, so the page must be fetched."""
    text = plain_text(content_html) or plain_text(summary_html)
    if len(text) < FULL_TEXT_MIN_CHARS:
        return True
    return bool(_TEASER_END.search(text[-80:]))


def _parse(html: bytes) -> HtmlElement:
    if not html or not html.strip():
        raise ExtractError("empty page")
    if b"\x00" in html[:1024] and not html.startswith((b"\xff\xfe", b"\xfe\xff")):
        # NUL bytes early on and no UTF-16 BOM: an image, a PDF, an archive.
        raise ExtractError("not an HTML page")
    try:
        tree = load_html(decode_html(html))
    except Exception as error:
        raise ExtractError(f"unreadable HTML: {type(error).__name__}") from error
    if not isinstance(tree, HtmlElement):
        raise ExtractError("unreadable HTML")
    return tree


def _body_text(body: etree._Element) -> str:
    body = copy.deepcopy(body)
    # Plain text has no use for link targets or images (xmltotxt writes them
    # as Markdown): keep the link words, drop the images.
    etree.strip_tags(body, "ref")
    etree.strip_elements(body, "graphic", with_tail=False)
    text: str = xmltotxt(body, include_formatting=False)
    # trafilatura normalises only its string outputs; pages mix NFC and NFD.
    return unicodedata.normalize("NFC", text).strip()


def _body_html(body: etree._Element, title: str) -> str:
    body = copy.deepcopy(body)
    # trafilatura turns every <code> into <pre>, which splits a paragraph
    # around an inline identifier; keep inline code inline.
    inline = [code for code in body.iter("code") if _is_inline(code)]
    for code in inline:
        code.tag = "inline-code"
    root = convert_to_html(body)
    for code in root.iter("inline-code"):
        code.tag = "code"
    children = list(root[0])
    # The page shows the title itself; a body that opens with it would repeat it.
    first = children[0] if children else None
    if first is not None and re.fullmatch(r"h[1-6]", str(first.tag)):
        children = children[1:] if plain_text(" ".join(first.itertext())) == title else children
    parts = [etree.tostring(child, encoding="unicode", method="html") for child in children]
    return unicodedata.normalize("NFC", "\n".join(part.strip() for part in parts))


def _is_inline(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and str(parent.tag) not in _BLOCK_PARENTS


def _first(tree: HtmlElement, *xpaths: str) -> str:
    for xpath in xpaths:
        for value in _xpath_strings(tree, xpath):
            if value.strip():
                return value.strip()
    return ""


def _xpath_strings(tree: HtmlElement, xpath: str) -> list[str]:
    result: Any = tree.xpath(xpath)
    return [str(item) for item in result] if isinstance(result, list) else []


def _declared_language(tree: HtmlElement) -> str:
    declared = _first(
        tree,
        "/html/@lang",
        "/html/@xml:lang",
        '//meta[translate(@http-equiv, "CONTENT-LANGUAGE", "content-language")'
        ' = "content-language"]/@content',
        '//meta[@property="og:locale"]/@content',
    )
    return normalize_language(declared)


def _canonical_url(tree: HtmlElement, base: str) -> str:
    href = _first(tree, '//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content')
    return absolute_http_url(href, base)


def _published(tree: HtmlElement, found: str | None) -> datetime | None:
    """Return the publication time in UTC, as precise as the page allows."""
    day = _parse_day(found or "")
    precise = _parse_timestamp(_first(tree, *_PUBLISHED_XPATHS) or _json_ld_published(tree))
    # Prefer the full timestamp only when it agrees with trafilatura's date,
    # which looked harder (and may have rejected a modified-time meta tag).
    if precise is not None and (day is None or precise.date() == day):
        return precise.astimezone(UTC)
    if day is not None:
        return datetime.combine(day, time(), tzinfo=UTC)
    return None


def _json_ld_published(tree: HtmlElement) -> str:
    for script in _xpath_strings(tree, '//script[@type="application/ld+json"]/text()'):
        match = _JSON_LD_PUBLISHED.search(script)
        if match:
            return match.group(1)
    return ""


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # A naive time is the publisher's local time; UTC is the least wrong guess.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
