"""Text helpers for display: shortening titles, naming languages."""

from __future__ import annotations

ELLIPSIS = "…"

# Languages the crawler meets most often; any other code is shown upper-cased.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


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


def primary_language(code: str) -> str:
    """Return the primary subtag of a language tag, lower-cased ("de-AT" -> "de")."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def language_name(code: str) -> str:
    """Name a language in English from its ISO 639-1 code or BCP 47 tag."""
    primary = primary_language(code)
    return LANGUAGE_NAMES.get(primary, primary.upper())


def is_foreign_language(code: str, site_language: str) -> bool:
    """Tell whether an article's language differs from the site's (unknown is not foreign)."""
    if not code.strip():
        return False
    return primary_language(code) != primary_language(site_language)
