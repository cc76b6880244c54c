"""Hit tracker fixtures: every test starts with an empty in-memory buffer and no cached salts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from newsdesk.hits import recorder
from newsdesk.visitors import salts


@pytest.fixture(autouse=True)
def _fresh_hit_buffer() -> Iterator[None]:
    """Drop hits queued by earlier tests and salts cached from rolled-back databases."""
    recorder.use_buffer(None)
    recorder.get_buffer().clear()
    salts.forget_salts(date.max)
    yield
    recorder.use_buffer(None)  # a memory buffer goes with it; Redis tests clean their prefix
    salts.forget_salts(date.max)
