"""Helpers shared by the feed parsers: GUIDs, dates, text to HTML, skip reports."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from datetime import UTC, datetime

from newsdesk.core.text import clean_text

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


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


def struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """Convert one of feedparser's UTC struct_times to an aware datetime."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def fallback_guid(title: str, published: datetime | None) -> str:
    """Derive a stable identifier for an entry that has neither id nor link."""
    stamp = published.isoformat() if published else ""
    return hashlib.sha256(f"{title}\n{stamp}".encode()).hexdigest()


def pick_guid(raw_id: str | None, url: str, title: str, published: datetime | None) -> str:
    """Choose an entry's identifier: the feed's id, else the link, else a hash.

    Cleaned here, before anything looks it up: PostgreSQL refuses a NUL even in a query.
    """
    return clean_text((raw_id or "").strip()) or clean_text(url) or fallback_guid(title, published)


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
