"""clean_text: the characters no stored text keeps."""

from __future__ import annotations

import pytest

from newsdesk.core.text import clean_text, one_line, plain_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("windows\r\nline\rends", "windows\nline\nends"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 bs\x08 vt\x0b ff\x0c esc\x1b[0m", "bell bs vt ff esc[0m"),
        ("del\x7f", "del"),
        ("lone \ud800 high and \udfff low surrogates", "lone  high and  low surrogates"),
        ("nonchars \ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff gone", "nonchars  gone"),
        # Kept: C1 controls are legal XML; emoji, CJK and private-use stay.
        ("nel\x85 é 中文 🙂 \ue000", "nel\x85 é 中文 🙂 \ue000"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    """C0 (but tab/LF), DEL, surrogates and noncharacters go; line ends become LF."""
    assert clean_text(raw) == expected
    clean_text(raw).encode("utf-8")  # never raises for what is kept
    assert clean_text(clean_text(raw)) == clean_text(raw)


def test_one_line_and_plain_text_are_clean() -> None:
    """The one-line and HTML-to-text helpers clean as they go."""
    assert one_line(" a\x00 \r\n b\x1b ") == "a b"
    assert plain_text("<b>x\x0b</b>&#0;y&#x1F;") == "x\ufffdy"


def test_every_plane_loses_its_two_noncharacters_and_keeps_its_neighbours() -> None:
    """U+xFFFE and U+xFFFF go in each of the 17 planes; U+xFFFD and U+x0000 beside them stay."""
    for plane in range(17):
        base = plane * 0x10000
        gone = chr(base + 0xFFFE) + chr(base + 0xFFFF)
        kept = chr(base + 0xFFFD) + (chr(base) if plane else "")
        assert clean_text(f"a{gone}b{kept}\U0001f600") == f"ab{kept}\U0001f600"
