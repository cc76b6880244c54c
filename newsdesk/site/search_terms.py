"""What both search back ends share: the query's words, the order, highlight markers.

Highlights come back from the database as plain text with matched words between
two control characters that sanitized article text never holds; ``marked_html``
escapes everything and only then turns the markers into ``<mark>``, so no
article text is ever rendered as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
SNIPPET_WORDS = 28

# A "phrase" (closing quote optional), or a run of non-space characters.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


class Order(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"

    @classmethod
    def parse(cls, value: str | None) -> Order:
        """Return the order a request asks for; anything unknown is relevance."""
        return cls.DATE if value == cls.DATE.value else cls.RELEVANCE


@dataclass(frozen=True)
class QueryItem:
    """One word or quoted phrase of a reader's query."""

    text: str
    phrase: bool = False
    negated: bool = False
    or_before: bool = False


@dataclass(frozen=True)
class Marked:
    """An article's title and candidate passages, matched words between markers."""

    title: str
    passages: tuple[str, ...]

    def title_or(self, stored: str) -> str:
        """Return the marked title, or ``stored`` if marking lost any of its text.

        PostgreSQL's headline drops what its parser takes for HTML tags; a
        title must still read as the publisher wrote it.
        """
        plain = self.title.replace(MARK_START, "").replace(MARK_END, "")
        return self.title if plain == stored else stored

    def best_passage(self) -> str:
        """Return the first passage that shows a match, else the first non-empty one."""
        for passage in self.passages:
            if MARK_START in passage:
                return passage
        return next((passage for passage in self.passages if passage.strip()), "")


# Control characters (NUL, the markers) mean nothing in a query and NUL is
# refused by PostgreSQL: each becomes a space.
_CONTROL = dict.fromkeys(range(32), " ")


def clean_query(raw: str) -> str:
    """Collapse whitespace, drop control characters and bound a reader's query."""
    return " ".join(raw.translate(_CONTROL).split())[:MAX_QUERY_LENGTH]


def parse_websearch(query: str) -> list[QueryItem]:
    """Read a query as ``websearch_to_tsquery`` does: words, "phrases", ``or``, ``-word``."""
    items: list[QueryItem] = []
    pending_or = False
    for match in _TOKEN.finditer(query):
        minus, quoted, word = match.groups()
        if word is not None and word.lower() == "or" and items:
            pending_or = True
            continue
        if quoted is not None:
            item = QueryItem(quoted.strip(), phrase=True, negated=bool(minus))
        else:
            negated = word.startswith("-") and len(word) > 1
            item = QueryItem(word[1:] if negated else word, negated=negated)
        if item.text:
            items.append(QueryItem(item.text, item.phrase, item.negated, pending_or))
        pending_or = False
        if len(items) == MAX_TERMS:
            break
    return items


def marked_html(text: str) -> SafeString:
    """Escape ``text`` and turn its marked words into ``<mark>`` elements."""
    parts: list[str] = []
    position = 0
    for match in _MARKED.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group(1))}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    # Unpaired markers (a passage cut mid-match) carry no meaning; drop them.
    html = "".join(parts).replace(MARK_START, "").replace(MARK_END, "")
    return mark_safe(html)  # every piece of text above is escaped
