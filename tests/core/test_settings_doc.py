"""docs/settings.md and the env table describe the same settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsdesk.core.env import SETTINGS, Setting, SettingError, parse_bool, read_all

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def documented() -> dict[str, str]:
    rows = re.findall(r"^\| `(NEWSDESK_[A-Z0-9_]+)` \| (.*?) \|", DOC.read_text(), re.M)
    return dict(rows)


def test_every_setting_is_documented_with_its_default() -> None:
    """Each setting in the table has a row in docs/settings.md showing its default."""
    docs = documented()
    for setting in SETTINGS:
        assert setting.name in docs, f"{setting.name} is not in docs/settings.md"
        shown = f"`{setting.default}`" if setting.default else "(empty)"
        assert docs[setting.name] == shown, setting.name


def test_no_documented_setting_is_unknown() -> None:
    """docs/settings.md names no setting that the code does not read."""
    assert set(documented()) == {s.name for s in SETTINGS}


def test_defaults_parse() -> None:
    """Every default is a valid value for its own parser."""
    values = read_all({})
    assert values["NEWSDESK_DEBUG"] is False
    assert values["NEWSDESK_FETCH_MAX_BYTES"] > 0


@pytest.mark.parametrize("raw", ["yes", "1", "TRUE", "on"])
def test_true_words(raw: str) -> None:
    """Operators' usual words for yes read as True."""
    assert parse_bool(raw) is True


def test_bad_value_names_the_variable() -> None:
    """A bad value fails with the variable's name in the message."""
    setting = Setting("NEWSDESK_X", "3", "test", int)
    with pytest.raises(SettingError, match="NEWSDESK_X"):
        setting.read({"NEWSDESK_X": "three"})
