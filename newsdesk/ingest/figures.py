"""Keep a page's figures through text extraction without letting them disturb it.

Asked to keep images, trafilatura changes which text it keeps (the words after an
inline image can go missing) and turns captions into body paragraphs. So the
extractor runs without images, and each figure or content image of the page is
first replaced by a short marker word in its place: the marker rides along
with the text, tells where the figure stood, and is swapped back for the image and
its caption when the body is rendered. A figure's caption leaves the page with
it, so it never reaches the plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

_SPACES = re.compile(r"\s+")
MARKER = re.compile(r"\s?ndfig(\d+)x\s?")
# Images this small are spacers, icons and tracking pixels, not figures.
_MIN_SIDE = 40
_SKIP_SRC = re.compile(r"pixel|spacer|blank\.gif|tracking|/ads?/|\.svg(\?|$)|beacon", re.I)


@dataclass(frozen=True)
class Figure:
    """One image of the page, with what describes it."""

    src: str
    alt: str = ""
    caption: str = ""


def marker(index: int) -> str:
    return f"ndfig{index}x"


def mark_figures(tree: HtmlElement) -> list[Figure]:
    """Replace figures and content images with marker words in place; return them."""
    figures: list[Figure] = []
    for figure in list(tree.iter("figure")):
        if figure.find(".//table") is not None:
            continue  # a table in a figure is content the extractor keeps as a table
        image = _first_image(figure)
        if image is None:
            continue
        caption = next(figure.iter("figcaption"), None)
        text = _text(caption) if caption is not None else ""
        _replace(figure, figures, Figure(image[0], image[1], text), block=True)
    for element in list(tree.iter("img")):
        found = _source(element)
        if found and element.getparent() is not None:
            _replace(element, figures, Figure(found, _text_attr(element, "alt")), block=False)
    return figures


def _first_image(figure: HtmlElement) -> tuple[str, str] | None:
    for element in figure.iter("img"):
        src = _source(element)
        if src:
            return src, _text_attr(element, "alt")
    return None


def _source(image: HtmlElement) -> str:
    for name in ("data-src", "data-lazy-src", "data-original", "src"):
        value = str(image.get(name) or "").strip()
        if value and not value.startswith("data:"):
            break
    else:
        return ""
    if _SKIP_SRC.search(value) or _too_small(image):
        return ""
    return value


def _too_small(image: HtmlElement) -> bool:
    for name in ("width", "height"):
        value = str(image.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def _replace(element: HtmlElement, figures: list[Figure], figure: Figure, *, block: bool) -> None:
    word = marker(len(figures))
    figures.append(figure)
    parent = element.getparent()
    if parent is None:
        return
    if block:
        # A paragraph of its own, so the figure stays a block between paragraphs.
        tail = element.tail
        element.clear()
        element.tag = "p"
        element.text = word
        element.tail = tail
        return
    # Remove the wrappers that hold nothing but this image as well: a marker left
    # alone in an empty <div> would look like a block of its own and could take
    # the text after it down with it.
    while _only_child(element) and parent.getparent() is not None and parent.tag != "p":
        element, parent = parent, parent.getparent()
    previous = element.getprevious()
    text = f" {word} {element.tail or ''}"
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _only_child(element: HtmlElement) -> bool:
    parent = element.getparent()
    if parent is None or len(parent) != 1 or (parent.text or "").strip():
        return False
    return parent.tag in {"div", "a", "span", "picture", "center", "noscript"}


def _text(element: HtmlElement) -> str:
    return _SPACES.sub(" ", element.text_content()).strip()


def _text_attr(element: HtmlElement, name: str) -> str:
    return _SPACES.sub(" ", str(element.get(name) or "")).strip()
