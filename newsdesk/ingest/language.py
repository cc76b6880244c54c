"""Tell which language an article is written in.

A declared language (``<html lang>``, the feed's ``<language>``) wins when it
is a well-formed tag: publishers know their language better than a classifier
does on a teaser. Otherwise py3langid guesses from the text, and a text too
short or too ambiguous to tell gives "" rather than a confident wrong label.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Below this many letters a guess is mostly noise (a few words of Latin script).
MIN_DETECT_CHARS = 40
# A Han, kana or Hangul character carries about as much as a short word.
_DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# py3langid's normalised probability under which the guess is dropped.
MIN_CONFIDENCE = 0.5

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


def normalize_language(tag: str) -> str:
    """Return the primary subtag of a language tag, lower-case ("en-US" -> "en"), or ""."""
    primary = re.split(r"[-_\s]", tag.strip().lower(), maxsplit=1)[0]
    if not _PRIMARY_TAG.match(primary) or primary in _NO_LANGUAGE:
        return ""
    return _ALIASES.get(primary, primary)


def detect_language(text: str, declared: str = "") -> str:
    """Return the declared language if valid, else py3langid's guess, else ""."""
    code = normalize_language(declared)
    if code:
        return code
    letters = sum(1 for char in text if char.isalpha()) + len(_DENSE_SCRIPT.findall(text))
    if letters < MIN_DETECT_CHARS:
        return ""
    guess, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return ""
    return normalize_language(str(guess))


def language_name(code: str) -> str:
    """Return the English name of a language code ("de" -> "German"), or the code."""
    code = normalize_language(code) or code
    return LANGUAGE_NAMES.get(code, code)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Load the model on first use: it costs a fraction of a second and most
    # processes (web workers) never detect anything.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
