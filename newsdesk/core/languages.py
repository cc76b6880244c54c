"""The one table of languages: normalising tags and naming languages.

Ingest uses it to label articles, search to pick a text-search configuration,
and templates to show a language's name.
"""

from __future__ import annotations

import re

# BCP 47 primary subtag: 2-3 letters (RFC 5646 §2.2.1); "i-" and "x-" tags are
# grandfathered or private and name no usable language.
_PRIMARY_TAG = re.compile(r"^[a-z]{2,3}$")
_NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})
# Old codes still seen in the wild (ISO 639 withdrawn codes -> current ones).
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}

LANGUAGE_NAMES = {
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
    "nb": "Norwegian Bokmål",
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


def normalize_language(tag: str | None) -> str:
    """Return the primary subtag of a language tag, lower-case ("en-US" -> "en"), or ""."""
    if not tag:
        return ""
    primary = re.split(r"[-_\s]", tag.strip().lower(), maxsplit=1)[0]
    if not _PRIMARY_TAG.match(primary) or primary in _NO_LANGUAGE:
        return ""
    return _ALIASES.get(primary, primary)


def language_name(code: str) -> str:
    """Return the English name of a language code ("de" -> "German"), or the code."""
    code = normalize_language(code) or code
    return LANGUAGE_NAMES.get(code, code)
