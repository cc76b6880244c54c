"""Split an extracted body into blocks, drop the furniture, and render HTML and text.

The extractor's body (trafilatura's XML: p, head, list, quote, table, graphic,
code) is read as a sequence of top-level blocks. Furniture blocks
(boilerplate.py) and blocks a source repeats on all its pages (template.py) are
dropped. Figures keep their caption in the HTML, once; captions, alt text and the
labels of embedded posts never reach the plain text.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.xml import xmltotxt

from newsdesk.ingest.boilerplate import (
    BlockView,
    dangling_lead_in,
    furniture_reason,
    heading_introduces_furniture,
)
from newsdesk.ingest.embeds import EMBED_MARKER, Embed
from newsdesk.ingest.figures import MARKER, Figure
from newsdesk.ingest.links import link_chars, relink
from newsdesk.ingest.template import block_print, removable

_SPACES = re.compile(r"\s+")
# Block containers in trafilatura's XML: a <code> elsewhere is inline code.
_BLOCK_PARENTS = frozenset({"body", "doc", "main", "div", "quote"})
_KINDS = {"p": "p", "head": "head", "list": "list", "quote": "quote", "table": "table"}
_CAPTION_CLASS = re.compile(r"caption|credit|legende|légende|bildunterschrift", re.IGNORECASE)
# A caption must be this long before a paragraph equal to part of it counts as one.
_MIN_CAPTION_MATCH = 20


@dataclass(frozen=True)
class Captions:
    """Caption texts of the page (figure captions and caption-like elements)."""

    texts: frozenset[str] = frozenset()

    def is_caption(self, text: str) -> bool:
        key = normalise(text)
        if key in self.texts:
            return True
        return len(key) >= _MIN_CAPTION_MATCH and any(key in caption for caption in self.texts)


@dataclass
class Block:
    """One top-level block of the body."""

    element: etree._Element
    view: BlockView
    embed: Embed | None = None
    figure: Figure | None = None
    caption: str = ""
    dropped: str = ""


def normalise(text: str) -> str:
    """One line of the block's words, as the furniture rules read them.

    Soft hyphens go: pages that hyphenate for narrow screens put one in every
    long word ("illus\u00adtra\u00adtive"), which no cue would match.
    """
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u00ad", "")).strip()


def page_captions(tree: HtmlElement) -> Captions:
    """Collect the texts of figure captions and caption-like elements of the raw page."""
    texts: set[str] = set()
    for element in tree.iter("figcaption", "div", "span", "p", "small"):
        if element.tag == "figcaption" or _CAPTION_CLASS.search(str(element.get("class") or "")):
            text = normalise(element.text_content())
            if 3 <= len(text) <= 600:
                texts.add(text)
    return Captions(frozenset(texts))


def split_blocks(
    body: etree._Element,
    embeds: list[Embed],
    figures: list[Figure],
    anchors: frozenset[str] = frozenset(),
) -> list[Block]:
    """Read the extractor's body as blocks: figures by their markers, embeds by their link."""
    blocks: list[Block] = []
    for element in _elements(body):
        kind = _KINDS.get(element.tag, "other")
        words = " ".join(element.itertext())
        embed = next(
            (embeds[int(n)] for n in EMBED_MARKER.findall(words) if int(n) < len(embeds)), None
        )
        # The marker alone (with the post's words) is the embed; merged into a
        # longer paragraph, it is only stripped.
        if embed is not None and len(normalise(words)) <= len(embed.text) + 20:
            blocks.append(Block(element, BlockView("embed", embed.text), embed=embed))
            continue
        found = [int(n) for n in MARKER.findall(words)]
        if found or embed is not None:
            _strip_markers(element)
            for index in found:
                if index < len(figures):
                    blocks.append(Block(element, BlockView("graphic", ""), figure=figures[index]))
            if not normalise(" ".join(element.itertext())):
                continue
        text = normalise(" ".join(element.itertext()))
        parts = [normalise(" ".join(i.itertext())) for i in element.iter("item")] or [text]
        links = link_chars(text, parts, anchors)
        items = len(parts) if kind == "list" else 0
        blocks.append(Block(element, BlockView(kind, text, links, items)))
    return blocks


def _elements(body: etree._Element) -> list[etree._Element]:
    """The body's top-level elements, with loose text between them made paragraphs."""
    elements: list[etree._Element] = []
    if body.text and body.text.strip():
        elements.append(_paragraph(body.text))
    for element in body:
        if isinstance(element.tag, str):
            elements.append(element)
        if element.tail and element.tail.strip():
            elements.append(_paragraph(element.tail))
        element.tail = None
    return elements


def _paragraph(text: str) -> etree._Element:
    paragraph = etree.Element("p")
    paragraph.text = text.strip()
    return paragraph


def drop_furniture(
    blocks: list[Block], *, title: str, captions: Captions, learned: Collection[str]
) -> None:
    """Mark furniture, captions and learned boilerplate as dropped (with the reason)."""
    views = [block.view for block in blocks]
    for index, block in enumerate(blocks):
        reason = furniture_reason(views, index, title=title)
        if (
            not reason
            and block.view.kind in {"p", "other"}
            and captions.is_caption(block.view.text)
        ):
            reason = "caption"
        block.dropped = reason
    for index, block in enumerate(blocks[:-1]):
        following = blocks[index + 1]
        if (
            not block.dropped
            and following.dropped
            and heading_introduces_furniture(block.view, following.view, following.dropped)
        ):
            block.dropped = following.dropped
    _drop_dangling_lead_in(blocks)
    _drop_repeats(blocks)
    if learned:
        _drop_learned(blocks, learned)
    _attach_captions(blocks, captions)


def _drop_dangling_lead_in(blocks: list[Block]) -> None:
    """Drop the body's last text block when it only announces something that was not kept.

    "Das Thema könnte dich auch interessieren:" or "More on the virus:" closing
    the body introduced a list of links that extraction (rightly) left out.
    """
    last = next((b for b in reversed(blocks) if not b.dropped and b.view.kind != "graphic"), None)
    if last is not None and last.embed is None and dangling_lead_in(last.view):
        last.dropped = "lead-in"


def _drop_repeats(blocks: list[Block]) -> None:
    """Drop a paragraph or heading that says word for word what an earlier kept one says.

    Pages print a passage twice (a table of contents above the section
    headings, a teaser or print copy beside the paragraph); a reader needs it once.
    Lists and code are left alone: a refrain or a repeated line of code is content.
    """
    seen: set[str] = set()
    for block in blocks:
        if block.dropped or block.view.kind not in _REPEATABLE:
            continue
        key = block.view.text.casefold()
        if len(key) < MIN_REPEAT_CHARS:
            continue
        if key in seen:
            block.dropped = "repeated"
        seen.add(key)


_REPEATABLE = frozenset({"p", "head", "quote"})
# Shorter blocks ("Continue reading", a refrain) may repeat for a reason.
MIN_REPEAT_CHARS = 40


def _drop_learned(blocks: list[Block], learned: Collection[str]) -> None:
    """Drop blocks the source repeats on its pages (template.removable says which)."""
    matches = [
        not block.dropped and bool(block.view.text) and block_print(block.view.text) in learned
        for block in blocks
    ]
    skippable = [bool(block.dropped) or block.view.kind == "graphic" for block in blocks]
    texts = [block.view.text for block in blocks]
    for block, gone in zip(blocks, removable(matches, texts, skippable), strict=True):
        if gone:
            block.dropped = "learned"


def _attach_captions(blocks: list[Block], captions: Captions) -> None:
    """Give each figure its caption once; a caption paragraph right after it moves in."""
    seen_images: set[str] = set()
    shown: set[str] = set()
    for index, block in enumerate(blocks):
        if block.figure is None:
            continue
        src = block.figure.src
        if src in seen_images:
            block.dropped = "repeated image"
            continue
        seen_images.add(src)
        caption = block.figure.caption
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if not caption and following is not None and following.dropped in {"caption", "credit"}:
            caption = following.view.text
        if caption and caption not in shown:
            block.caption = caption
            shown.add(caption)


def kept(blocks: list[Block]) -> list[Block]:
    return [block for block in blocks if not block.dropped]


def render_text(blocks: list[Block]) -> str:
    """Plain text of the article: no captions, alt text, image or embed labels."""
    body = etree.Element("body")
    for block in kept(blocks):
        if block.view.kind == "graphic":
            continue
        if block.embed is not None:
            if block.embed.text:
                etree.SubElement(body, "p").text = block.embed.text
            continue
        body.append(copy.deepcopy(block.element))
    # Plain text has no use for link targets or images (xmltotxt writes them
    # as Markdown): keep the link words, drop the images.
    etree.strip_tags(body, "ref")
    etree.strip_elements(body, "graphic", with_tail=False)
    text: str = xmltotxt(body, include_formatting=False)
    # trafilatura normalises only its string outputs; pages mix NFC and NFD.
    return unicodedata.normalize("NFC", text).strip()


def render_html(blocks: list[Block], links: dict[str, str]) -> str:
    """Simple HTML of the article, figures with their captions and embeds as linked quotes."""
    body = etree.Element("body")
    for block in kept(blocks):
        if block.view.kind == "graphic":
            body.append(_figure(block))
        elif block.embed is not None:
            body.append(_embed_quote(block.embed))
        else:
            body.append(copy.deepcopy(block.element))
    relink(body, links)
    # trafilatura turns every <code> into <pre>, which splits a paragraph
    # around an inline identifier; keep inline code inline.
    for code in [code for code in body.iter("code") if _is_inline(code)]:
        code.tag = "inline-code"
    root = convert_to_html(body)
    for code in root.iter("inline-code"):
        code.tag = "code"
    parts = [etree.tostring(child, encoding="unicode", method="html") for child in root[0]]
    return unicodedata.normalize("NFC", "\n".join(part.strip() for part in parts))


def _figure(block: Block) -> etree._Element:
    figure = etree.Element("figure")
    image = etree.SubElement(figure, "graphic", src=block.figure.src if block.figure else "")
    if block.figure is not None and block.figure.alt:
        image.set("alt", block.figure.alt)
    if block.caption:
        etree.SubElement(figure, "figcaption").text = block.caption
    return figure


def _embed_quote(embed: Embed) -> etree._Element:
    quote = etree.Element("quote")
    if embed.text:
        etree.SubElement(quote, "p").text = embed.text
    link = etree.SubElement(etree.SubElement(quote, "p"), "ref", target=embed.url)
    link.text = embed.label
    return quote


def _is_inline(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and str(parent.tag) not in _BLOCK_PARENTS


def _strip_markers(element: etree._Element) -> None:
    for node in element.iter():
        if node.text:
            node.text = EMBED_MARKER.sub(" ", MARKER.sub(" ", node.text))
        if node is not element and node.tail:
            node.tail = EMBED_MARKER.sub(" ", MARKER.sub(" ", node.tail))
