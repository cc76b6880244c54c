"""How an extraction is scored: one body metric per benchmark, and metadata checks.

Body text, per benchmark (decided by what the origin gives):

* **full text** (newspaper4k's ``text``): word 4-gram precision, recall and F1 of the
  extracted text against the expected text, per page, averaged over pages (the
  measure of the article-extraction-benchmark). Scripts written without spaces
  (Chinese, Japanese, Thai) count one character as one word.
* **snippets** (every other origin): trafilatura's own evaluation rule. A
  ``must_contain`` snippet found is a true positive, missing a false negative; a
  ``must_not_contain`` snippet found is a false positive. Counts are pooled over the
  benchmark's pages. Precision needs ``must_not_contain`` snippets; where an origin
  gives none (goose3, readability, postlight) only recall is defined, and the
  report says so instead of inventing a precision.

Matching follows the corpus rule: NBSP becomes a space, whitespace runs collapse
to one space, then a case-sensitive substring test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NGRAM = 4
# One token per character for scripts that do not separate words with spaces.
_NO_SPACE_SCRIPTS = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_NO_SPACE_SCRIPTS}]|[^\W{_NO_SPACE_SCRIPTS}]+")
_SPACES = re.compile(r"\s+")
_NAME_SEPARATORS = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*")


def normalise(text: str) -> str:
    """Apply the corpus matching rule: NBSP to space, whitespace runs to one space."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()


def tokens(text: str) -> list[str]:
    """Split ``text`` into lower-case words (characters, for CJK and Thai)."""
    return _TOKEN.findall(text.casefold())


def ngrams(text: str, n: int = NGRAM) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1; None where the benchmark cannot measure it."""

    precision: float | None
    recall: float | None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def ngram_score(predicted: str, expected: str) -> PRF:
    """Word 4-gram precision and recall of ``predicted`` against ``expected``."""
    got, want = ngrams(predicted), ngrams(expected)
    if not want:
        return PRF(None, None)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    return PRF(precision, overlap / sum(want.values()))


@dataclass
class SnippetCounts:
    """Pooled snippet outcomes (trafilatura's evaluation rule)."""

    true_pos: int = 0
    false_neg: int = 0
    false_pos: int = 0
    true_neg: int = 0

    def add(self, other: SnippetCounts) -> None:
        self.true_pos += other.true_pos
        self.false_neg += other.false_neg
        self.false_pos += other.false_pos
        self.true_neg += other.true_neg

    def score(self) -> PRF:
        found = self.true_pos + self.false_neg
        negatives = self.false_pos + self.true_neg
        recall = self.true_pos / found if found else None
        if not negatives:
            return PRF(None, recall)
        kept = self.true_pos + self.false_pos
        return PRF(self.true_pos / kept if kept else 0.0, recall)


def snippet_counts(predicted: str, must: Iterable[str], must_not: Iterable[str]) -> SnippetCounts:
    """Count which expected snippets ``predicted`` holds and which it wrongly holds."""
    text = normalise(predicted)
    counts = SnippetCounts()
    for snippet in must:
        if normalise(snippet) in text:
            counts.true_pos += 1
        else:
            counts.false_neg += 1
    for snippet in must_not:
        if normalise(snippet) in text:
            counts.false_pos += 1
        else:
            counts.true_neg += 1
    return counts


def has_body_expectation(expected: Mapping[str, Any]) -> bool:
    """Tell whether a page can score a body: full text or at least one snippet."""
    return bool(expected.get("text") or expected.get("must_contain"))


@dataclass
class BodyTally:
    """Body scores of one tool on one benchmark."""

    pages: int = 0
    ngram: list[PRF] = field(default_factory=list)
    snippets: SnippetCounts = field(default_factory=SnippetCounts)

    def add(self, predicted: str, expected: Mapping[str, Any]) -> None:
        self.pages += 1
        if expected.get("text"):
            self.ngram.append(ngram_score(predicted, str(expected["text"])))
        else:
            self.snippets.add(
                snippet_counts(
                    predicted,
                    [str(s) for s in expected.get("must_contain") or []],
                    [str(s) for s in expected.get("must_not_contain") or []],
                )
            )

    def score(self) -> tuple[str, PRF]:
        """Return the metric's name and the benchmark's precision and recall."""
        if self.ngram:
            return "4-gram", PRF(_mean(s.precision for s in self.ngram), _mean_recall(self.ngram))
        return "snippets", self.snippets.score()

    def mean_f1(self) -> float | None:
        """Mean per-page 4-gram F1 (the article-extraction-benchmark's headline)."""
        values = [s.f1 for s in self.ngram if s.f1 is not None]
        return sum(values) / len(values) if values else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _mean_recall(scores: list[PRF]) -> float | None:
    return _mean(s.recall for s in scores)


# -- metadata ---------------------------------------------------------------

METADATA_FIELDS = ("title", "author", "date", "image", "language", "canonical")


def expected_metadata(expected: Mapping[str, Any]) -> dict[str, str]:
    """Return the metadata values an origin states for one page, by field."""
    found: dict[str, Any] = {
        "title": expected.get("title"),
        "author": expected.get("author") or _joined(expected.get("authors")),
        "date": expected.get("date"),
        "image": expected.get("lead_image_url") or expected.get("top_image"),
        "language": expected.get("language") or expected.get("lang"),
        "canonical": expected.get("canonical_link"),
    }
    return {name: str(value) for name, value in found.items() if isinstance(value, str) and value}


def metadata_matches(field_name: str, got: str, want: str) -> bool:
    """Compare one metadata field the way the report counts it."""
    got, want = normalise(got), normalise(want)
    if field_name == "date":
        return got[:10] == want[:10]
    if field_name == "author":
        names = [n for n in _NAME_SEPARATORS.split(want.casefold()) if n]
        return bool(got) and all(name in got.casefold() for name in names)
    if field_name == "language":
        return got.lower().split("-")[0] == want.lower().replace("_", "-").split("-")[0]
    if field_name == "canonical":
        return got.rstrip("/") == want.rstrip("/")
    return got == want


def date_text(value: datetime | str | None) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value or ""


def _joined(value: object) -> str | None:
    if isinstance(value, list) and value:
        return "; ".join(str(v) for v in value)
    return None
