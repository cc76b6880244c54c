"""The one place that turns HTML into text, and text helpers for display."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from html.parser import HTMLParser

from newsdesk.core.languages import normalize_language

ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
# Letters and digits in any script; apostrophes inside a word keep it whole.
_WORDS = re.compile(r"\w+(?:['\u2019]\w+)*")
# Below this many words a body is a teaser: too little to call two articles the same.
MIN_HASHED_WORDS = 20


def normalized_words(text: str) -> list[str]:
    """Return the words of ``text`` compatibility-folded and case-folded, for comparing texts.

    Copies of one article differ in typography (curly quotes, NBSP, ligatures,
    full-width digits) and casing; NFKC and casefold make those the same word.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return _WORDS.findall(folded)


def body_hash(text: str, words: list[str] | None = None) -> str:
    """Hash the normalised words of a body, or "" for a body too short to compare.

    Pass ``words`` when the caller already has ``normalized_words(text)``.
    """
    words = normalized_words(text) if words is None else words
    if len(words) < MIN_HASHED_WORDS:
        return ""
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def _unwanted_characters() -> re.Pattern[str]:
    # C0 controls but tab, newline and carriage return; DEL; every surrogate
    # (in a str they are always lone: UTF-8 cannot encode them); and the
    # noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane.
    planes = "".join(f"\\U{plane:04X}FFFE\\U{plane:04X}FFFF" for plane in range(17))
    return re.compile(
        "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff\\ufdd0-\\ufdef" + planes + "]"
    )


_UNWANTED = _unwanted_characters()
_LINE_ENDS = re.compile(r"\r\n?")


def clean_text(value: str) -> str:
    """Remove characters that have no place in stored text, and end lines with LF.

    C0 controls other than tab and newline, DEL, lone surrogates and Unicode
    noncharacters are dropped: XML 1.0 cannot carry most of them (so our own
    feeds would fail), UTF-8 cannot encode surrogates, and none of them is
    ever meant to be seen. CRLF and lone CR become LF.
    """
    if not value:
        return ""
    return _UNWANTED.sub("", _LINE_ENDS.sub("\n", value))


def one_line(value: str | None) -> str:
    """Return ``value`` as clean text on one line, whitespace runs collapsed."""
    return _SPACES.sub(" ", clean_text(value or "")).strip()


def truncate_words_near(text: str, limit: int = 60) -> str:
    """Cut ``text`` at the last word boundary within ``limit`` characters, adding an ellipsis.

    Whitespace runs collapse to one space first. Text that fits is returned as
    is; a single word longer than ``limit`` is cut mid-word rather than dropped.
    The ellipsis is one character and counts toward ``limit``.
    """
    clean = " ".join(text.split())
    if len(clean) <= limit:
        return clean
    room = max(limit - len(ELLIPSIS), 1)
    head = clean[: room + 1]
    cut = head.rfind(" ")
    short = head[:cut] if cut > 0 else clean[:room]
    # Drop punctuation left dangling before the ellipsis ("Hello, …" -> "Hello…").
    return short.rstrip(" ,;:-\u2013\u2014") + ELLIPSIS


def is_foreign_language(code: str, site_language: str) -> bool:
    """Tell whether an article's language differs from the site's (unknown is not foreign)."""
    primary = normalize_language(code)
    return bool(primary) and primary != normalize_language(site_language)


def plain_text(fragment: str | None) -> str:
    """Strip all tags from ``fragment``, unescape entities and collapse whitespace."""
    if not fragment:
        return ""
    return one_line(_TextCollector.collect(fragment).replace(_TextCollector.BREAK, " "))


def html_to_text(html: str) -> str:
    """Return the text of ``html`` with one blank line between blocks."""
    text = _TextCollector.collect(html)
    blocks = (one_line(block) for block in text.split(_TextCollector.BREAK))
    return "\n\n".join(block for block in blocks if block)


def summary_text(html: str, limit: int = 300) -> str:
    """Return the plain text of ``html`` cut at a word boundary within ``limit`` characters."""
    text = plain_text(html)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "…"


class _TextCollector(HTMLParser):
    """Collect the text of an HTML fragment, marking block boundaries."""

    BREAK = "\x00"
    BLOCKS = frozenset(
        {
            "p", "div", "section", "article", "header", "footer", "aside", "main", "nav",
            "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr",
            "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br",
            "address", "details", "summary", "caption",
        }
    )  # fmt: skip
    SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    @classmethod
    def collect(cls, fragment: str) -> str:
        collector = cls()
        collector.feed(fragment.replace(cls.BREAK, ""))
        collector.close()
        return "".join(collector.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append(self.BREAK)
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append(self.BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append(self.BREAK)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)
