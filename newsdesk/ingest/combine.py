"""Merge the extractors' bodies block by block, page by page.

trafilatura's rules (A) and readability (R) read the same page in different
ways: the rules keep what sits in the article's markup and drop what looks like
furniture, readability keeps the container with the most prose. Where both keep
a block, it is the article's. A block only one of them keeps is judged on its own
features: readability's extra blocks join when they are prose (long enough,
ending like a sentence, few link words) and sit inside or next to the agreed
part; the rules' extra blocks stay unless they lie outside the agreed part and
read like furniture. When the two hardly agree, the body with the better quality
score wins outright.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from newsdesk.ingest.boilerplate import SENTENCE_END
from newsdesk.ingest.candidates import justext_body, readability_body, rules_body
from newsdesk.ingest.embeds import EMBED_MARKER
from newsdesk.ingest.figures import MARKER
from newsdesk.ingest.rules import read_signs

_WORDS = re.compile(r"\w+")
# Containers to look through for the blocks inside.
_CONTAINERS = frozenset({"body", "div", "main", "doc", "section"})
# Below this many characters a block's key is too short to match by containment.
_MIN_CONTAINED = 25


@dataclass
class Piece:
    """One top-level block of a candidate body."""

    element: etree._Element
    key: str
    text: str
    # It holds a figure or embed marker (figures.py, embeds.py).
    marked: bool = False

    @property
    def chars(self) -> int:
        return len(self.text)


def pieces(body: etree._Element | None) -> list[Piece]:
    """The body's blocks in order, looking through container divs."""
    found: list[Piece] = []
    if body is None:
        return found
    _collect(body, found)
    return found


def _collect(element: etree._Element, found: list[Piece]) -> None:
    if element.text and element.text.strip():
        found.append(_loose(element.text))
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _CONTAINERS:
            _collect(child, found)
        else:
            words = " ".join(child.itertext())
            text = _unmarked(words)
            if text or child.tag == "graphic" or text != words.strip():
                found.append(Piece(child, _key(text), text, _has_marker(words)))
        if child.tail and child.tail.strip():
            found.append(_loose(child.tail))


def _has_piece(body: etree._Element) -> bool:
    """Whether ``pieces(body)`` would find a block, without collecting them all."""
    if body.text and body.text.strip():
        return True
    for child in body:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _CONTAINERS:
            if _has_piece(child):
                return True
        elif child.tag == "graphic" or " ".join(child.itertext()).strip():
            return True
        if child.tail and child.tail.strip():
            return True
    return False


def _loose(text: str) -> Piece:
    paragraph = etree.Element("p")
    paragraph.text = text.strip()
    clean = _unmarked(text)
    return Piece(paragraph, _key(clean), clean, _has_marker(text))


def _has_marker(words: str) -> bool:
    return "nd" in words and bool(MARKER.search(words) or EMBED_MARKER.search(words))


def _unmarked(words: str) -> str:
    """The block's text as a reader sees it (figure and embed markers removed)."""
    if "nd" in words:
        words = EMBED_MARKER.sub(" ", MARKER.sub(" ", words))
    return " ".join(words.split())


def key_of(text: str) -> str:
    """The block's words, lower-cased, without figure and embed markers."""
    return _key(_unmarked(text))


def _key(unmarked: str) -> str:
    return " ".join(_WORDS.findall(unmarked.casefold()))


def agreement(mine: Sequence[Piece], theirs: Sequence[Piece]) -> list[bool]:
    """Which of ``mine`` the other body holds too (equal, or contained in one of its blocks)."""
    exact = {p.key for p in theirs}
    joined = " \n ".join(p.key for p in theirs)
    return [
        bool(p.key) and (p.key in exact or (len(p.key) >= _MIN_CONTAINED and p.key in joined))
        for p in mine
    ]


def is_prose(piece: Piece, min_chars: int = 100) -> bool:
    """A paragraph of running text: long enough and ending like a sentence."""
    return (
        piece.element.tag in {"p", "quote", "list"}
        and piece.chars >= min_chars
        and bool(SENTENCE_END.search(piece.text))
    )


# -- merging -----------------------------------------------------------------

# Below this agreed share (of each body's text) the two read different parts of
# the page: choose one instead of merging.
DISJOINT_SHARE = 0.3
# In that case readability wins only when its body is this much more prose-like.
QUALITY_MARGIN = 0.4
# readability's extra blocks must be this long to join (characters).
MIN_ADDED_PROSE = 100


def merge_bodies(
    rules: etree._Element | None, other: etree._Element | None
) -> etree._Element | None:
    """Merge two candidate bodies of one page (see the module docstring)."""
    mine, theirs = pieces(rules), pieces(other)
    if not theirs:
        return rules
    if not mine:
        return other
    in_mine, in_theirs = agreement(mine, theirs), agreement(theirs, mine)
    if _share(mine, in_mine) < DISJOINT_SHARE and _share(theirs, in_theirs) < DISJOINT_SHARE:
        return other if quality(theirs) - quality(mine) > QUALITY_MARGIN else rules
    first_agreed = in_theirs.index(True) if True in in_theirs else 0
    prose = [
        is_prose(piece, MIN_ADDED_PROSE) or (index < first_agreed and _is_dek(piece))
        for index, piece in enumerate(theirs)
    ]
    bridges = [_bridges(piece) for piece in theirs]
    added = {i for i in _connected(prose, in_theirs, bridges) if not _repeats(theirs[i], mine)}
    after = _positions(mine, theirs, in_theirs, added)
    last_agreed = max((i for i, a in enumerate(in_mine) if a), default=len(mine))
    body = etree.Element("body")
    for piece in after.get(-1, []):
        body.append(piece.element)
    for index, piece in enumerate(mine):
        # Past the last block both keep, the rules' own short lines and link
        # lists are the page's tail (credits, "more stories", paywall prompts).
        if index <= last_agreed or _kept_in_tail(piece):
            body.append(piece.element)
        for extra in after.get(index, []):
            body.append(extra.element)
    return body


def _is_dek(piece: Piece) -> bool:
    """A heading as long as a sentence: above the article, its standfirst, not a section label."""
    return piece.element.tag == "head" and piece.chars >= MIN_DEK_CHARS


# A heading this long (characters) reads as a standfirst.
MIN_DEK_CHARS = 60


def _repeats(piece: Piece, body: Sequence[Piece]) -> bool:
    """The block says nearly word for word what one of ``body``'s blocks says.

    Pages carry a paragraph twice (a print copy, a footnote-numbered variant:
    "points" and "points1"); the two extractors each keep a different copy, so
    the copies do not agree exactly and both would be kept.
    """
    words = set(piece.key.split())
    if not words:
        return False
    for other in body:
        theirs = set(other.key.split())
        if theirs and len(words & theirs) / len(words | theirs) >= REPEAT_SIMILARITY:
            return True
    return False


# Word-set Jaccard at or above which an added block repeats a kept one.
REPEAT_SIMILARITY = 0.85


def _kept_in_tail(piece: Piece) -> bool:
    return (
        piece.marked
        or piece.element.tag in {"table", "graphic"}
        or is_prose(piece, MIN_ADDED_PROSE)
    )


def quality(body: Sequence[Piece]) -> float:
    """Share of the text in prose paragraphs: menus and link lists score near 0."""
    total = sum(piece.chars for piece in body)
    return sum(p.chars for p in body if is_prose(p, 80)) / total if total else 0.0


def _share(body: Sequence[Piece], agreed: Sequence[bool]) -> float:
    total = sum(piece.chars for piece in body)
    return sum(p.chars for p, a in zip(body, agreed, strict=True) if a) / total if total else 0.0


def _connected(
    eligible: Sequence[bool], seeds: Sequence[bool], bridges: Sequence[bool] | None = None
) -> set[int]:
    """Indices joined to a seed by a run of eligible neighbours (either side).

    A run may pass over up to ``MAX_BRIDGED`` blocks in a row marked in
    ``bridges`` (which are not added themselves): a lede is often parted from
    the article by a dateline or a "published at" line.
    """
    found: set[int] = set()
    count = len(seeds)
    crossing = bridges or [False] * count
    for order in (range(count), range(count - 1, -1, -1)):
        live, bridged = False, 0
        for index in order:
            if seeds[index]:
                live, bridged = True, 0
            elif live and eligible[index]:
                found.add(index)
                bridged = 0
            elif live and crossing[index] and bridged < MAX_BRIDGED:
                bridged += 1
            else:
                live = False
    return found


# How many short lines in a row a run of added prose may pass over.
MAX_BRIDGED = 2
# A paragraph this short (characters) may be passed over: a dateline, a time stamp.
MAX_BRIDGE_CHARS = 40


def _bridges(piece: Piece) -> bool:
    """A short line of running text that a run of prose may pass over without taking it."""
    return piece.element.tag == "p" and 0 < piece.chars <= MAX_BRIDGE_CHARS


def _positions(
    mine: Sequence[Piece], theirs: Sequence[Piece], agreed: Sequence[bool], added: set[int]
) -> dict[int, list[Piece]]:
    """Where each added block goes: after the rules' block that holds its agreed predecessor."""
    after: dict[int, list[Piece]] = {}
    last = -1
    for index, piece in enumerate(theirs):
        if agreed[index]:
            last = _find(mine, piece, max(last, 0), last)
        elif index in added:
            after.setdefault(last, []).append(piece)
    return after


def _find(mine: Sequence[Piece], piece: Piece, start: int, default: int) -> int:
    for index in range(start, len(mine)):
        key = mine[index].key
        if key == piece.key or piece.key in key or (key and key in piece.key):
            return index
    return default


def choose_body(tree: HtmlElement, *, url: str) -> etree._Element | None:
    """Return the body judged best for the page, or None."""
    signs = read_signs(tree)
    merged = merge_bodies(
        rules_body(tree, url=url, signs=signs), readability_body(tree, url=url, signs=signs)
    )
    if merged is not None and _has_piece(merged):
        return merged
    # jusText costs as much as both others together: only for a page with
    # text that neither found an article in.
    if len(tree.text_content()) < JUSTEXT_MIN_PAGE_CHARS:
        return None
    return justext_body(tree, url=url)


# A page with less text than this holds no article for jusText to find.
JUSTEXT_MIN_PAGE_CHARS = 1000
