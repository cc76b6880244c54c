"""Telling an article's language: declared tags win, py3langid guesses the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.core.languages import language_name, normalize_language
from newsdesk.ingest.language import detect_language

ARTICLES = Path(__file__).parent.parent / "data" / "articles"
# (language, page, index of a must_contain snippet): short real passages of the copied pages.
PASSAGES = [
    ("en", "trafilatura-eval/politico.com.retirement.html", 1),
    ("de", "trafilatura-eval/jungle.world-Imperialismus-Phantom.html", 1),
    ("fr", "readability/lemonde-1.html", 0),
    ("es", "trafilatura-eval/cooperativa.cl-presidente.html", 1),
    ("ja", "newspaper4k/japanese_article2.html", 0),
    ("ja", "trafilatura-eval/nhk.or.jp.k100.html", 0),
    ("ar", "newspaper4k/arabic_article.html", 0),
]
_EXPECTED = json.loads((ARTICLES / "expected.json").read_text(encoding="utf-8"))["files"]
SAMPLES = [(code, _EXPECTED[page]["must_contain"][index]) for code, page, index in PASSAGES]
FRENCH = _EXPECTED["readability/lemonde-1.html"]["must_contain"][0]
GERMAN = _EXPECTED["trafilatura-eval/jungle.world-Imperialismus-Phantom.html"]["must_contain"][1]


@pytest.mark.parametrize(("expected", "text"), SAMPLES, ids=[page for _, page, _ in PASSAGES])
def test_detects_language_of_text(expected: str, text: str) -> None:
    """Without a declaration, the language is detected from a sentence or less."""
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("en-US", "en"),
        ("EN", "en"),
        ("de_DE", "de"),
        ("zh-Hant-TW", "zh"),
        (" fr ", "fr"),
        ("iw", "he"),
    ],
)
def test_declared_language_wins(declared: str, expected: str) -> None:
    """A valid declared tag is normalised and used even when the text says otherwise."""
    assert detect_language(GERMAN, declared) == expected


@pytest.mark.parametrize("declared", ["", "und", "x-klingon", "english", "12", "*"])
def test_invalid_declaration_falls_back_to_detection(declared: str) -> None:
    """A missing or malformed declaration is ignored in favour of the text."""
    assert detect_language(FRENCH, declared) == "fr"


@pytest.mark.parametrize("text", ["", "Hello world", "Breaking: fire", "1234567890 " * 10])
def test_short_text_gives_no_language(text: str) -> None:
    """Too few letters to tell gives "" rather than a guess."""
    assert detect_language(text) == ""


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("pt-BR", "pt"), ("", ""), ("mul", ""), ("i-klingon", ""), ("sr-Latn", "sr")],
)
def test_normalize_language(tag: str, expected: str) -> None:
    """Only the primary subtag of a well-formed tag is kept."""
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("de", "German"), ("en-GB", "English"), ("ja", "Japanese"), ("ar", "Arabic"), ("xx", "xx")],
)
def test_language_name(code: str, expected: str) -> None:
    """Common codes have an English name; unknown codes are shown as they are."""
    assert language_name(code) == expected
