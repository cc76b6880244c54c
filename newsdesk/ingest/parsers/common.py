"""Helpers shared by the feed parsers: plain text, GUIDs, languages, dates, URLs."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

# Only things that look like markup: "a < b" and "<3" stay as text.
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*>|<!--.*?-->", re.DOTALL)
# Elements that separate words; any other tag ("1930ft<sup>2</sup>") joins its neighbours.
_BREAKING = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "img",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_SPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def plain_text(value: str | None) -> str:
    """Turn a possibly-HTML string into one line of plain text."""
    if not value:
        return ""
    # Strip tags before unescaping, so escaped markup ("&lt;b&gt;") stays visible text.
    text = html.unescape(_TAG.sub(_tag_replacement, value))
    return _SPACE.sub(" ", text).strip()


def _tag_replacement(match: re.Match[str]) -> str:
    name = (match.group(2) or "").lower()
    return " " if name in _BREAKING else ""


def text_to_html(text: str | None) -> str:
    """Escape plain text into HTML paragraphs (blank lines split, newlines become <br>)."""
    if not text or not text.strip():
        return ""
    paragraphs = _BLANK_LINES.split(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    parts = []
    for paragraph in paragraphs:
        lines = [html.escape(line.strip()) for line in paragraph.split("\n")]
        parts.append("<p>" + "<br>".join(line for line in lines if line) + "</p>")
    return "\n".join(parts)


def normalise_language(value: str | None) -> str:
    """Reduce a language tag ("en-US", "de_DE", "EN") to its lower-case primary subtag."""
    if not value:
        return ""
    primary = re.split(r"[-_\s]", value.strip(), maxsplit=1)[0]
    return primary.lower() if _LANGUAGE.fullmatch(primary) else ""


def struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """Convert one of feedparser's UTC struct_times to an aware datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def absolute_url(value: str | None, base: str) -> str:
    """Resolve a link against a base; give "" for anything that is not http(s)."""
    if not value or not value.strip():
        return ""
    resolved = urljoin(base, value.strip()) if base else value.strip()
    try:
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    return resolved if scheme in ("http", "https") else ""


def fallback_guid(title: str, published: datetime | None) -> str:
    """Derive a stable identifier for an entry that has neither id nor link."""
    stamp = published.isoformat() if published else ""
    return hashlib.sha256(f"{title}\n{stamp}".encode()).hexdigest()


def pick_guid(raw_id: str | None, url: str, title: str, published: datetime | None) -> str:
    """Choose an entry's identifier: the feed's id, else the link, else a hash."""
    return (raw_id or "").strip() or url or fallback_guid(title, published)


def unique(values: list[str]) -> list[str]:
    """Drop empty strings and repeats, keeping the first occurrence's order."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def describe_skipped(skipped: list[str], total: int) -> str:
    """Summarise entries dropped because they could not be converted."""
    if not skipped:
        return ""
    return f"skipped {len(skipped)} of {total} entries: " + "; ".join(skipped[:3])
