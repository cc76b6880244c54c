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


# C0 controls but tab, newline and carriage return; DEL; every surrogate (in a
# str they are always lone: UTF-8 cannot encode them); and the noncharacters
# U+FDD0..U+FDEF, U+FFFE and U+FFFF of the Basic Multilingual Plane.
_UNWANTED = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\ud800-\\udfff\\ufdd0-\\ufdef\\ufffe\\uffff]"
)
# Characters beyond the BMP, among them the noncharacters U+xFFFE and U+xFFFF of
# planes 1-16. A class listing those 32 characters is tested item by item at every
# position (about 40 ns a character: 3 ms for one page); a single range is not.
_ASTRAL = re.compile("[\\U00010000-\\U0010FFFF]")
_LINE_ENDS = re.compile(r"\r\n?")


def _drop_astral_noncharacter(match: re.Match[str]) -> str:
    char = match.group()
    return "" if ord(char) & 0xFFFE == 0xFFFE else char


def clean_text(value: str) -> str:
    """Remove characters that have no place in stored text, and end lines with LF.

    C0 controls other than tab and newline, DEL, lone surrogates and Unicode
    noncharacters are dropped: XML 1.0 cannot carry most of them (so our own
    feeds would fail), UTF-8 cannot encode surrogates, and none of them is
    ever meant to be seen. CRLF and lone CR become LF.
    """
    if not value:
        return ""
    value = _UNWANTED.sub("", _LINE_ENDS.sub("\n", value))
    if value.isascii():
        return value
    return _ASTRAL.sub(_drop_astral_noncharacter, value)


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
    """Return the plain text of ``html`` cut at a word boundary within ``limit`` characters.

    The boilerplate feeds end summaries with ("Continue reading", "[...]") goes first.
    """
    text = drop_feed_tail(plain_text(html))
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


# Headlines shouted in capitals read as shouting; below this share of upper-case
# letters a title is already in a readable case and is left alone.
SHOUTING_SHARE = 0.8
# An all-caps title needs this many letters before it counts as shouting ("UN", "NHS").
SHOUTING_MIN_LETTERS = 8
# Lower-case inside a title (Chicago/AP style); the first and last word are capitalised.
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "over",
        "per",
        "so",
        "the",
        "to",
        "up",
        "via",
        "vs",
        "with",
        "yet",
        "de",
        "del",
        "der",
        "die",
        "das",
        "des",
        "du",
        "la",
        "le",
        "les",
        "el",
        "et",
        "y",
    ]
)
# Upper-case words that keep their capitals: common acronyms containing a vowel
# (not those that are also everyday words, like WHO, IT or OK).
# Acronyms without a vowel (BBC, NHS, FBI) or with a digit (G7, COVID-19) are found by rule.
ACRONYMS = frozenset(
    [
        "AI",
        "AIDS",
        "ASEAN",
        "CEO",
        "CEOS",
        "CFO",
        "COO",
        "CIA",
        "EU",
        "EV",
        "FIFA",
        "IMF",
        "IPO",
        "LGBTQ",
        "NASA",
        "NATO",
        "NAACP",
        "NOAA",
        "OECD",
        "OPEC",
        "PC",
        "PR",
        "UAE",
        "UEFA",
        "UK",
        "UN",
        "UNESCO",
        "UNICEF",
        "US",
        "USA",
        "USB",
        "UFO",
        "VIP",
        "WTO",
        "EPA",
        "FEMA",
        "IRA",
        "ISIS",
        "OSCE",
        "SEC",
        "SUV",
        "TV",
        "UCLA",
        "NYU",
    ]
)
_WORD_PARTS = re.compile(r"(\w[\w'\u2019.&-]*)")


def is_shouting(title: str) -> bool:
    """Tell whether a title is written (almost) all in capitals."""
    letters = [c for c in title if c.isalpha() and c.lower() != c.upper()]
    if len(letters) < SHOUTING_MIN_LETTERS:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= SHOUTING_SHARE


def readable_case(title: str) -> str:
    """Turn an all-caps title into title case, keeping acronyms; other titles are unchanged.

    "NHS STAFF TO GET 5% PAY RISE, SAYS UK GOVERNMENT" becomes
    "NHS Staff to Get 5% Pay Rise, Says UK Government".
    """
    if not is_shouting(title):
        return title
    words = _WORD_PARTS.split(title)
    spots = [index for index, part in enumerate(words) if _WORD_PARTS.fullmatch(part)]
    for position, index in enumerate(spots):
        # Clause edges are capitalised too: "What Is It For? A Look at ...".
        edge = position in (0, len(spots) - 1) or any(
            _starts_clause(words[near]) for near in (index - 1, index + 1)
        )
        words[index] = _readable_word(words[index], edge)
    return "".join(words)


def _starts_clause(before: str) -> bool:
    """Tell whether the text between two words separates clauses (": ", "? ", " — ")."""
    return any(mark in before for mark in ":?!.\u2014\u2013|")


def _readable_word(word: str, edge: bool) -> str:
    if _is_acronym(word):
        # Keep the capitals, not the shouted possessive: "BBC'S" -> "BBC's".
        return word[:-1] + "s" if word[-2:] in ("'S", "\u2019S") else word
    lower = word.lower()
    if not edge and lower in SMALL_WORDS:
        return lower
    # Capitalise each hyphenated part: "SELF-DRIVING" -> "Self-Driving".
    return "-".join(part[:1].upper() + part[1:] for part in lower.split("-"))


def _is_acronym(word: str) -> bool:
    bare = word.strip(".'\u2019").upper()
    core = bare.removesuffix("'S").removesuffix("\u2019S")
    if core in ACRONYMS or "." in core.strip("."):
        return True  # "U.S.", "E.U."
    if any(c.isdigit() for c in core):
        return True  # "G7", "COVID-19", "5G"
    letters = [c for c in core if c.isalpha()]
    # No vowel (and no Y acting as one): BBC, NHS, FBI, but not "RHYTHM" or "MY".
    return 1 < len(letters) <= 5 and not any(c in "AEIOUY" for c in letters)


# What feeds append to a summary in place of the rest of the article. Each is
# matched at the very end only, so the words inside a sentence are kept.
FEED_TAILS = tuple(
    re.compile(pattern + r"\s*$", re.IGNORECASE | re.DOTALL)
    for pattern in (
        # WordPress SEO plugins' footer (ingest/clutter.py drops it from bodies).
        r"\s*The post .{1,300}? (?:appeared first on|first appeared on) .{1,200}?\.?",
        r"\s*(?:Der Beitrag|Der Artikel) .{1,300}? erschien zuerst auf .{1,200}?\.?",
        r"\s*L[\u2019']article .{1,300}? est apparu en premier sur .{1,200}?\.?",
        r"\s*(?:La entrada|El artículo) .{1,300}? se publicó primero en .{1,200}?\.?",
        r"\s*.{1,300}? was originally published in .{1,200}? on Medium, where people are"
        r" continuing the conversation by highlighting and responding to this story\.?",
        # "Continue reading →", "Read more »" after a sentence; "(more…)" anywhere at the end.
        r"(?:(?<=[.!?…»\"”'\])])|^)\s*(?:continue reading|read more|keep reading"
        r"|read the (?:full|rest of the) (?:story|article|post)|lire la suite|weiterlesen"
        r"|leer más|seguir leyendo)\b[^.!?]{0,120}?(?:\.{3}|…|»|\u203a|→)?",
        r"\s*[(\[]\s*(?:more|read more|continue reading)\s*(?:\.{3}|…|»|\u203a|→)?\s*[)\]]",
    )
)
# "[…]", "[...]", "(...)", "…" left where a feed cut its summary.
_CUT_MARK = re.compile(r"\s*(?:\[\s*(?:…|\.{3})\s*\]|\(\s*(?:…|\.{3})\s*\)|…|\.{3})\s*$")


def drop_feed_tail(text: str) -> str:
    """Remove the boilerplate a feed appends to a summary; a cut text ends with one "…".

    "Then it rained [...] The post Rain appeared first on Blog." becomes "Then it rained…".
    """
    cut = False
    previous = None
    while previous != text:
        previous = text
        for pattern in FEED_TAILS:
            text = pattern.sub("", text)
        if _CUT_MARK.search(text):
            cut = True
            text = _CUT_MARK.sub("", text)
    text = text.rstrip(" ,;:-\u2013\u2014")
    if cut and text:
        return text + ELLIPSIS
    return text
