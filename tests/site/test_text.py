"""Display helpers: title truncation, language names, update detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.core.dates import was_updated
from newsdesk.core.languages import language_name
from newsdesk.core.text import is_foreign_language, truncate_words_near


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short title", 60, "Short title"),
        ("x" * 60, 60, "x" * 60),
        (
            "Markets rally as central bank signals a pause in rate rises this year",
            60,
            "Markets rally as central bank signals a pause in rate rises…",
        ),
        (
            "Prime Minister announces new housing plan, critics say it is far too little",
            60,
            "Prime Minister announces new housing plan, critics say it…",
        ),
        (
            "Ukraine war: what we know on day 500 of the full-scale Russian invasion",
            60,
            "Ukraine war: what we know on day 500 of the full-scale…",
        ),
        ("a" * 80, 60, "a" * 59 + "…"),
        ("  spaced   out\n title  ", 60, "spaced out title"),
        ("The quick brown fox jumps over the lazy dog", 20, "The quick brown fox…"),
        ("Hello, world", 8, "Hello…"),
        ("", 60, ""),
    ],
)
def test_truncate_words_near(text: str, limit: int, expected: str) -> None:
    """Long text is cut at the last whole word that fits, with a one-character ellipsis."""
    result = truncate_words_near(text, limit)
    assert result == expected
    assert len(result) <= limit


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("de", "German"),
        ("de-AT", "German"),
        ("pt_BR", "Portuguese"),
        ("FR", "French"),
        ("iw", "Hebrew"),
    ],
)
def test_language_name(code: str, expected: str) -> None:
    """Language tags are named by their primary subtag, old codes by their current one."""
    assert language_name(code) == expected


@pytest.mark.parametrize(
    ("code", "site", "expected"),
    [
        ("de", "en", True),
        ("en-GB", "en", False),
        ("", "en", False),
        ("und", "en", False),
        ("en", "en-us", False),
    ],
)
def test_is_foreign_language(code: str, site: str, expected: bool) -> None:
    """Only a known language other than the site's counts as foreign."""
    assert is_foreign_language(code, site) is expected


def test_was_updated_ignores_restamps_within_a_minute() -> None:
    """An update time a few seconds after publication is not shown as an update."""
    published = datetime(2024, 6, 22, 20, 49, 2, tzinfo=UTC)
    assert not was_updated(published, None)
    assert not was_updated(published, published + timedelta(seconds=30))
    assert was_updated(published, published + timedelta(hours=2))
