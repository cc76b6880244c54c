"""Shingles, MinHash signatures, LSH bands and the copy thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from newsdesk.core.text import body_hash, normalized_words
from newsdesk.stories import dedup, permutations
from newsdesk.stories.dedup import fingerprint, shingles, signature, similarity
from tests.stories.helpers import event

TEXT = event(5)[0].text


def test_normalised_words_fold_typography_and_case() -> None:
    """Curly quotes, NBSP, full-width digits and case do not make two words differ."""
    assert normalized_words("It\u2019s\u00a0THE \uff15 o'clock News") == [
        "it's",
        "the",
        "5",
        "o'clock",
        "news",
    ]


def test_body_hash_ignores_markup_level_differences_but_not_words() -> None:
    """Whitespace and case leave the hash alone; one changed word changes it; short is empty."""
    assert body_hash(TEXT) == body_hash(TEXT.upper().replace("\n", "  \n "))
    assert body_hash(TEXT) != body_hash(TEXT.replace(" the ", " a ", 1))
    assert body_hash("Too short to say anything.") == ""


def test_shingles_keep_word_order() -> None:
    """Five-word shingles: the same words in another order are other shingles."""
    words = ["one", "two", "three", "four", "five", "six"]
    assert shingles(words).size == 2
    assert set(shingles(words)) != set(shingles(list(reversed(words))))
    assert shingles(words[:4]).size == 0


def test_signature_equals_datasketch() -> None:
    """The vectorised signature gives exactly datasketch's affine32 MinHash values."""
    hashes = shingles(normalized_words(TEXT))
    reference = MinHash(
        num_perm=dedup.NUM_PERM,
        seed=dedup.SEED,
        hashfunc=lambda value: value,
        scheme=dedup.SCHEME,
    )
    reference.update_batch([int(value) for value in hashes])
    assert np.array_equal(signature(hashes), reference.hashvalues)


def test_bands_are_stable_and_shared_by_copies() -> None:
    """The same text always gives the same buckets; a copy with a new intro shares some."""
    first, again = fingerprint(TEXT), fingerprint(TEXT)
    assert first is not None and again is not None
    assert first.buckets == again.buckets and len(first.buckets) == dedup.BANDS
    copy = fingerprint("A new first paragraph written by the republisher.\n" + TEXT)
    assert copy is not None and set(copy.buckets) & set(first.buckets)


def test_too_short_bodies_are_never_compared() -> None:
    """A teaser of a few sentences gets no fingerprint, so it is never called a copy."""
    assert fingerprint(" ".join(TEXT.split()[:25])) is None


@pytest.mark.parametrize(
    ("jaccard", "containment", "copy"),
    [
        (dedup.JACCARD_MIN, 0.0, True),  # at the Jaccard threshold
        (dedup.JACCARD_MIN - 0.01, dedup.CONTAINMENT_MIN - 0.01, False),  # just below both
        (0.3, dedup.CONTAINMENT_MIN, True),  # a trimmed copy inside its original
        (0.05, 0.5, False),  # a follow-up sharing a background paragraph
    ],
)
def test_copy_thresholds(jaccard: float, containment: float, copy: bool) -> None:
    """A copy needs Jaccard >= JACCARD_MIN or containment >= CONTAINMENT_MIN."""
    assert dedup.Similarity(jaccard, containment).is_copy is copy


def test_similarity_of_a_truncated_copy() -> None:
    """Cutting the ending keeps containment near 1 while Jaccard falls."""
    paragraphs = TEXT.split("\n")
    full = fingerprint(TEXT)
    trimmed = fingerprint("\n".join(paragraphs[: len(paragraphs) * 2 // 3]))
    assert full is not None and trimmed is not None
    found = similarity(full.shingles, trimmed.shingles)
    assert found.containment > 0.95 and found.jaccard < 0.9 and found.is_copy


def test_different_reports_of_one_event_are_not_copies() -> None:
    """Two outlets' own reports of one event share words, not enough text to be copies."""
    reports = [a for a in event(56) if a.outlet in {"www.cbsnews.com", "www.eonline.com"}]
    left, right = (fingerprint(a.text) for a in reports[:2])
    assert left is not None and right is not None
    assert not similarity(left.shingles, right.shingles).is_copy


def test_written_permutations_are_datasketchs_draw() -> None:
    """The permutations in the code are exactly the ones datasketch draws for our seed."""
    drawn = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED, scheme=dedup.SCHEME).permutations
    assert np.array_equal(drawn[0], np.array(permutations.MULTIPLIERS, np.uint32))
    assert np.array_equal(drawn[1], np.array(permutations.OFFSETS, np.uint32))
