"""Learn a source's page template: blocks its pages repeat are boilerplate.

Site-level template detection, after the boilerplate-removal literature: a block
whose normalised text recurs on several different pages of one site (a
disclaimer, an author box, a ticker, a newsletter prompt) is part of the site's
template, not of any one article. Digits are normalised so that a ticker or a
dated copyright line matches itself from day to day.

This module is pure: ``observe`` folds one page's block prints into a
``TemplateState`` (stored per source and host by the pipeline) and
``SourceTemplate`` is what extraction receives: small, frozen and picklable, so it
can cross into a worker process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement, fragments_fromstring

from newsdesk.ingest.boilerplate import SENTENCE_END

# A block becomes boilerplate once this many different pages of a host carried it.
MIN_PAGES = 2
# Bound the stored counts: prints seen once are forgotten oldest first.
MAX_PRINTS = 4000
# Pages remembered per host so that re-extracting one page does not count twice.
MAX_PAGES = 200
# Shorter blocks say too little to be told apart ("Share", "1").
MIN_PRINT_CHARS = 6

_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_SPACES = re.compile(r"\s+")


def block_print(text: str) -> str:
    """A short stable hash of a block's text: case, spacing, punctuation and digits ignored."""
    key = _NON_WORD.sub(" ", _DIGITS.sub("0", text.casefold())).strip()
    if len(key) < MIN_PRINT_CHARS:
        return ""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def template_host(url: str) -> str:
    """The host a page's template is learned under (``www.`` ignored)."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


@dataclass(frozen=True)
class SourceTemplate:
    """Learned boilerplate prints of one source, by host."""

    hosts: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def prints_for(self, host: str) -> frozenset[str]:
        return self.hosts.get(host, frozenset())


@dataclass
class TemplateState:
    """What is stored per (source, host): print counts and the pages already counted."""

    counts: dict[str, int] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    def learned(self) -> frozenset[str]:
        return frozenset(p for p, n in self.counts.items() if n >= MIN_PAGES)

    def as_json(self) -> dict[str, object]:
        return {"counts": self.counts, "pages": self.pages}

    @classmethod
    def from_json(cls, value: object) -> TemplateState:
        if not isinstance(value, dict):
            return cls()
        counts = value.get("counts")
        pages = value.get("pages")
        return cls(
            {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {},
            [str(p) for p in pages] if isinstance(pages, list) else [],
        )


def observe(state: TemplateState, page_key: str, prints: Iterable[str]) -> frozenset[str]:
    """Count one page's block prints; return the prints that became boilerplate just now."""
    if page_key in state.pages:
        return frozenset()
    state.pages = [*state.pages, page_key][-MAX_PAGES:]
    before = state.learned()
    for value in dict.fromkeys(p for p in prints if p):
        state.counts[value] = state.counts.get(value, 0) + 1
    _forget_rare(state)
    return state.learned() - before


def _forget_rare(state: TemplateState) -> None:
    excess = len(state.counts) - MAX_PRINTS
    if excess <= 0:
        return
    rare = [p for p, n in state.counts.items() if n < MIN_PAGES][:excess]
    for value in rare:
        del state.counts[value]


def removable(
    matches: Sequence[bool], texts: Sequence[str], skippable: Sequence[bool]
) -> list[bool]:
    """Which learned blocks to drop: at the body's edges always, mid-body only if not a sentence.

    A background paragraph an outlet reuses across a running story sits in the
    middle and ends like a sentence; a disclaimer or prompt sits at an edge or
    does not. ``skippable`` marks blocks that do not end an edge run (images,
    blocks already dropped).
    """
    edge: set[int] = set()
    for order in (range(len(matches)), range(len(matches) - 1, -1, -1)):
        for index in order:
            if not (matches[index] or skippable[index]):
                break
            edge.add(index)
    return [
        matched and (index in edge or not SENTENCE_END.search(texts[index]))
        for index, matched in enumerate(matches)
    ]


def strip_learned(html: str, text: str, learned: Collection[str]) -> tuple[str, str] | None:
    """Drop learned boilerplate from a stored body and its text; None when nothing changes.

    Stored bodies are sanitized HTML with one block per top-level element and
    text with one block per line, so both are cleaned block by block with the
    same rule extraction uses.
    """
    if not learned or not html:
        return None
    try:
        elements = fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    blocks = [e for e in elements if isinstance(e, HtmlElement)]
    texts = [_SPACES.sub(" ", b.text_content()).strip() for b in blocks]
    drop = removable([block_print(t) in learned for t in texts], texts, [not t for t in texts])
    if not any(drop):
        return None
    kept = [b for b, gone in zip(blocks, drop, strict=True) if not gone]
    lines = text.split("\n")
    line_drop = removable(
        [block_print(line) in learned for line in lines],
        lines,
        [not line.strip() for line in lines],
    )
    new_text = "\n".join(line for line, gone in zip(lines, line_drop, strict=True) if not gone)
    new_html = "\n".join(etree.tostring(b, encoding="unicode", method="html").strip() for b in kept)
    return new_html, new_text.strip()
