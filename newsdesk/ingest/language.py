"""Tell which language an article is written in.

A declared language (``<html lang>``, the feed's ``<language>``) wins when it
is a well-formed tag: publishers know their language better than a classifier
does on a teaser. Otherwise py3langid guesses from the text, and a text too
short or too ambiguous to tell gives "" rather than a confident wrong label.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from newsdesk.core.languages import normalize_language

# Below this many letters a guess is mostly noise (a few words of Latin script).
MIN_DETECT_CHARS = 40
# A Han, kana or Hangul character carries about as much as a short word.
_DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# py3langid's normalised probability under which the guess is dropped.
MIN_CONFIDENCE = 0.5


def detect_language(text: str, declared: str = "") -> str:
    """Return the declared language if valid, else py3langid's guess, else ""."""
    code = normalize_language(declared)
    if code:
        return code
    if not _has_letters(text, MIN_DETECT_CHARS):
        return ""
    guess, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return ""
    return normalize_language(str(guess))


def _has_letters(text: str, wanted: int) -> bool:
    """Tell whether ``text`` has ``wanted`` letters, a dense-script character counting twice."""
    # Stop at the wanted count: a whole article body was counted letter by letter.
    count = 0
    for char in text:
        if char.isalpha():
            count += 1
            if count >= wanted:
                return True
    return count + len(_DENSE_SCRIPT.findall(text)) >= wanted


_load_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def load_model() -> None:
    """Load the language model now rather than at the first detection."""
    _identifier()


def _identifier() -> Any:
    # Load the model on first use: it costs most of a second of CPU and most
    # processes (web workers) never detect anything. lru_cache alone would let
    # every crawl thread arriving at once load its own copy.
    with _load_lock:
        return _load_identifier()
