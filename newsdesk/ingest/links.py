"""Put the page's inline links back into the extracted body.

trafilatura keeps links only at a price: asked for them, it breaks a paragraph
at each link on some layouts and glues the following word to the link text
("security fairin Las Vegas"). So the body is extracted without links, and the
links of the page's prose (an ``<a>`` inside a paragraph, list item, quote or
cell that holds more text than the link) are wrapped around the same words again.
Navigation menus, whose items are bare links, never qualify.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

_SPACES = re.compile(r"\s+")
_PROSE_PARENTS = frozenset({"p", "li", "blockquote", "td", "dd", "em", "strong", "b", "i", "span"})
# Link words shorter than this would match ordinary words elsewhere ("here", "this").
_MIN_CHARS = 8
_MAX_LINKS = 300
# Elements of trafilatura's XML whose text may hold links.
_TEXT_TAGS = ("p", "item", "cell", "quote", "hi")


def page_anchors(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Every link of the page with its words, read once for the two uses below."""
    return [(anchor, _SPACES.sub(" ", anchor.text_content()).strip()) for anchor in tree.iter("a")]


def prose_links(anchors: Iterable[tuple[HtmlElement, str]]) -> dict[str, str]:
    """Map the words of each inline link in the page's prose to its target."""
    found: dict[str, str] = {}
    for anchor, words in anchors:
        href = str(anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if len(words) < _MIN_CHARS or words in found or not _in_prose(anchor, words):
            continue
        found[words] = href
        if len(found) >= _MAX_LINKS:
            break
    return found


def anchor_texts(tree: HtmlElement, anchors: Iterable[tuple[HtmlElement, str]]) -> frozenset[str]:
    """The words of every link still on the page, to measure how much of a block is links.

    ``anchors`` were read before figures and embeds were swapped for markers;
    the links inside those are gone from ``tree``, and so from the result.
    """
    on_page = set(tree.iter("a"))
    return frozenset(words for anchor, words in anchors if len(words) >= 3 and anchor in on_page)


def link_chars(text: str, parts: Iterable[str], anchors: frozenset[str]) -> int:
    """How many characters of a block are link words: whole parts (list items) that
    are a link's words, or link words inside a short block."""
    whole = sum(len(part) for part in parts if part in anchors)
    if whole or len(text) > 300:
        return whole
    return min(len(text), sum(len(a) for a in anchors if len(a) >= 8 and a in text))


def relink(elements: Iterable[etree._Element], links: dict[str, str]) -> None:
    """Wrap the first occurrence of each link's words in ``elements`` as a ``ref``."""
    elements = list(elements)
    # Only links whose words are in the body can match; compiling an alternation
    # of every prose link on the page cost more than the rest of the relinking.
    text = " ".join(word for element in elements for word in element.itertext())
    present = [words for words in links if words in text]
    if not present:
        return
    pattern = re.compile("|".join(re.escape(w) for w in sorted(present, key=len, reverse=True)))
    used: set[str] = set()
    for element in elements:
        for node in list(element.iter(*_TEXT_TAGS)):
            _wrap_text(node, pattern, links, used)
            for child in list(node):
                if child.tag != "ref":
                    _wrap_tail(child, pattern, links, used)


def _in_prose(anchor: HtmlElement, words: str) -> bool:
    parent = anchor.getparent()
    while parent is not None and parent.tag in {"em", "strong", "b", "i", "span"}:
        parent = parent.getparent()
    if parent is None or parent.tag not in _PROSE_PARENTS:
        return False
    around = parent.text_content()
    # Collapsing spaces only shortens: most menu links fail on the raw length.
    if len(around) <= 1.5 * len(words):
        return False
    return len(_SPACES.sub(" ", around).strip()) > 1.5 * len(words)


def _wrap_text(
    node: etree._Element, pattern: re.Pattern[str], links: dict[str, str], used: set[str]
) -> None:
    text = node.text or ""
    match = _next_match(pattern, text, used)
    if match is None:
        return
    ref = _ref(match.group(0), links, used)
    node.text = text[: match.start()]
    ref.tail = text[match.end() :]
    node.insert(0, ref)
    _wrap_tail(ref, pattern, links, used)


def _wrap_tail(
    element: etree._Element, pattern: re.Pattern[str], links: dict[str, str], used: set[str]
) -> None:
    while element.tail:
        tail = element.tail
        match = _next_match(pattern, tail, used)
        if match is None:
            return
        ref = _ref(match.group(0), links, used)
        element.tail = tail[: match.start()]
        ref.tail = tail[match.end() :]
        element.addnext(ref)
        element = ref


def _next_match(pattern: re.Pattern[str], text: str, used: set[str]) -> re.Match[str] | None:
    for match in pattern.finditer(text):
        if match.group(0) not in used:
            return match
    return None


def _ref(words: str, links: dict[str, str], used: set[str]) -> etree._Element:
    used.add(words)
    ref = etree.Element("ref", target=links[words])
    ref.text = words
    return ref
