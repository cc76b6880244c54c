"""Golden snippet checks on the held-back benchmark pages, known misses marked xfail.

Every page of tests/data/extraction with snippet expectations must yield a text
that holds its must_contain snippets and none of its must_not_contain ones. The
pages that do not yet are listed in known_misses.json with the reason; they are
strict xfails, so an improvement shows up as a failure to update the list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.ingest.errors import ExtractError
from newsdesk.ingest.evaluation.corpus import CorpusPage, load_corpus
from newsdesk.ingest.evaluation.scoring import normalise
from newsdesk.ingest.extract import extract_article

EXTRACTION = Path(__file__).resolve().parents[1] / "data" / "extraction"
KNOWN_MISSES: dict[str, dict[str, object]] = json.loads(
    (EXTRACTION / "known_misses.json").read_text(encoding="utf-8")
)
PAGES = [
    page
    for page in load_corpus(EXTRACTION / "articles")
    if page.expected.get("must_contain") or page.expected.get("must_not_contain")
]


def _case(page: CorpusPage) -> object:
    miss = KNOWN_MISSES.get(page.key)
    if miss is None:
        return pytest.param(page, id=page.key)
    mark = pytest.mark.xfail(strict=True, reason=str(miss["reason"]))
    return pytest.param(page, id=page.key, marks=mark)


@pytest.mark.parametrize("page", [_case(page) for page in PAGES])
def test_snippets(page: CorpusPage) -> None:
    """The text holds every must_contain snippet and no must_not_contain snippet."""
    try:
        text = normalise(extract_article(page.read(), url=page.url).text)
    except ExtractError:
        text = ""
    missed = [s for s in page.expected.get("must_contain") or [] if normalise(s) not in text]
    kept = [s for s in page.expected.get("must_not_contain") or [] if normalise(s) in text]
    assert (missed, kept) == ([], [])


def test_known_misses_name_real_pages() -> None:
    """Every known miss is a shipped page with a reason (no stale entries)."""
    keys = {page.key for page in PAGES}
    assert set(KNOWN_MISSES) <= keys
    assert all(entry["reason"] for entry in KNOWN_MISSES.values())
