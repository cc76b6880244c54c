"""Readable titles and summaries: all-caps headlines and feed boilerplate."""

from __future__ import annotations

import pytest

from newsdesk.core.text import drop_feed_tail, is_shouting, readable_case, summary_text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("JOHN WICK THE MOVIE: THE VIDEOGAME", "John Wick the Movie: The Videogame"),
        (
            "NHS STAFF TO GET 5% PAY RISE, SAYS UK GOVERNMENT",
            "NHS Staff to Get 5% Pay Rise, Says UK Government",
        ),
        ("U.S. AND EU AGREE ON AI RULES", "U.S. and EU Agree on AI Rules"),
        ("COVID-19 CASES FALL IN G7 NATIONS", "COVID-19 Cases Fall in G7 Nations"),
        ("SELF-DRIVING CARS ON THE BBC'S NEW SHOW", "Self-Driving Cars on the BBC's New Show"),
        ("I HATE SKATEBOARDING.", "I Hate Skateboarding."),
        ("WHAT IS IT FOR? A LOOK AT THE NEW LAW", "What Is It For? A Look at the New Law"),
        ("THE MAN WHO KNEW TOO MUCH", "The Man Who Knew Too Much"),
    ],
)
def test_all_caps_titles_get_title_case_keeping_acronyms(title: str, expected: str) -> None:
    """A shouted headline reads in title case; acronyms (no vowel, a digit, or listed) stay."""
    assert readable_case(title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "NASA launches a new probe to Jupiter",
        "Why the EU and the UK disagree",
        "UN VOTE",  # too short to call shouting: may be a name
        "iPhone 16 review",
        "",
    ],
)
def test_titles_in_mixed_case_are_left_alone(title: str) -> None:
    """Only titles written (almost) all in capitals change."""
    assert readable_case(title) == title


def test_shouting_needs_enough_capital_letters() -> None:
    """Eight letters, four fifths of them capitals."""
    assert is_shouting("BREAKING NEWS TODAY")
    assert not is_shouting("Breaking NEWS today")
    assert not is_shouting("NHS UK")


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (
            "The council met on Tuesday. The post Council meets appeared first on Town News.",
            "The council met on Tuesday.",
        ),
        ("The council met on Tuesday and [&hellip;]", "The council met on Tuesday and [&hellip;]"),
        ("The council met on Tuesday and [\u2026]", "The council met on Tuesday and\u2026"),
        ("The council met on Tuesday and [...]", "The council met on Tuesday and\u2026"),
        ("The council met. Continue reading \u2192", "The council met."),
        ("The council met. Continue reading Council meets\u2026", "The council met."),
        ("The council met\u2026 Read more \u00bb", "The council met\u2026"),
        ("The council met (more\u2026)", "The council met"),
        ("Der Rat tagte. Der Beitrag Rat erschien zuerst auf Stadtblatt.", "Der Rat tagte."),
        # Words that only look like boilerplate inside a sentence stay.
        ("She wants to read more books.", "She wants to read more books."),
        ("Prices, wages and more", "Prices, wages and more"),
    ],
)
def test_feed_boilerplate_is_dropped_from_summary_ends(summary: str, expected: str) -> None:
    """Footers, "Continue reading" links and cut marks go; a cut text ends with one ellipsis."""
    assert drop_feed_tail(summary) == expected


def test_summary_text_drops_the_feed_tail_before_cutting() -> None:
    """The stored summary never ends in feed boilerplate, even from HTML."""
    html = (
        "<p>The council met on Tuesday.</p><p>The post <a href='/x'>Council meets</a>"
        " appeared first on <a href='/'>Town News</a>.</p>"
    )
    assert summary_text(html) == "The council met on Tuesday."
