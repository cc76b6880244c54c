"""Text helpers for display: shortening titles, naming languages."""

from __future__ import annotations

from newsdesk.ingest.language import language_name as ingest_language_name
from newsdesk.ingest.language import normalize_language

ELLIPSIS = "…"


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


def language_name(code: str) -> str:
    """Name a language in English from its ISO 639-1 code or BCP 47 tag ("de-AT" -> "German")."""
    # One table of names, kept by the ingest stage that detects languages.
    return ingest_language_name(code)


def is_foreign_language(code: str, site_language: str) -> bool:
    """Tell whether an article's language differs from the site's (unknown is not foreign)."""
    primary = normalize_language(code)
    return bool(primary) and primary != normalize_language(site_language)
