"""Find copies: exact duplicates and near-duplicate reprints of one body of text.

An article is a reprint of another when its normalised body is the same (body
hash), when both name the same canonical URL, or when their word shingles
overlap enough: Jaccard similarity at least ``JACCARD_MIN``, or one body almost
wholly inside the other (a copy with its ending trimmed) by ``CONTAINMENT_MIN``.
Candidates come from MinHash LSH (datasketch's permutations): the signature is
cut into ``BANDS`` bands of ``ROWS`` values, and two bodies sharing any band
bucket are compared exactly. With 42 bands of 3 rows a pair with Jaccard 0.45
becomes a candidate with probability 0.98 (a copy with a quarter of its text
trimmed away still has about that), one with 0.1 with 0.04, one with 0.01 with
0.00004: unrelated articles rarely cost a comparison.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from newsdesk.core.text import body_hash, normalized_words
from newsdesk.stories.permutations import MULTIPLIERS, OFFSETS

SHINGLE_WORDS = 5
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
# Tuned on the development half of the evaluation set (`newsdesk stories eval`).
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.7
# Fewer shingles than this is a teaser or a caption: too little text to call a copy.
MIN_SHINGLES = 30
# A fixed seed: every process must draw the same permutations, or the stored bands mean nothing.
SEED = 20261201
# datasketch's 32-bit affine permutations (written out in permutations.py).
SCHEME = "affine32"
_SHINGLE_BASE = np.uint64(1_000_003)
_LOW_32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True)
class Fingerprint:
    """The shingles of one body (sorted unique hashes), their LSH band buckets and body hash."""

    shingles: np.ndarray
    buckets: tuple[int, ...]
    body_hash: str


@dataclass(frozen=True)
class Similarity:
    """How much two bodies overlap, as sets of shingles."""

    jaccard: float
    containment: float

    @property
    def is_copy(self) -> bool:
        """Tell whether the overlap makes one body a copy of the other."""
        return self.jaccard >= JACCARD_MIN or self.containment >= CONTAINMENT_MIN


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Hash each word to 32 bits with CRC-32: stable across processes, unlike hash()."""
    # map() over C functions: no Python frame per word.
    return np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, len(words))


def shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> np.ndarray:
    """Return the sorted unique 32-bit hashes of every run of ``size`` consecutive words."""
    count = len(words) - size + 1
    if count <= 0:
        return np.empty(0, np.uint32)
    hashes = word_hashes(words)
    combined = np.zeros(count, np.uint64)
    for offset in range(size):
        # A polynomial over the word hashes: order matters, "a b" is not "b a".
        combined = combined * _SHINGLE_BASE + hashes[offset : offset + count]
    folded = (combined ^ (combined >> np.uint64(32))) & _LOW_32
    return np.unique(folded.astype(np.uint32))


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    return np.array(MULTIPLIERS, np.uint32), np.array(OFFSETS, np.uint32)


def signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash signature of a set of 32-bit shingle hashes.

    The same values as datasketch's ``MinHash(scheme="affine32").update_batch``
    (a test holds them equal), computed on the whole array at once instead of
    converting each value through Python.
    """
    a, b = _permutations()
    if shingle_hashes.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, np.uint32)
    mixed = _fmix32(shingle_hashes.astype(np.uint32)).reshape(-1, 1)
    values: np.ndarray = (mixed * a + b).min(axis=0)
    return values


def _fmix32(values: np.ndarray) -> np.ndarray:
    # The MurmurHash3 finalizer datasketch applies before its affine permutations.
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def band_buckets(values: np.ndarray) -> tuple[int, ...]:
    """Cut a signature into bands and hash each (with its band number) to a signed 64-bit key."""
    raw = memoryview(values.astype("<u4").tobytes())
    width = ROWS * 4
    digests = bytearray()
    for band, keyed in enumerate(_band_hashers()):
        # Copying a hasher keyed once is half the cost of keying a new one every band.
        hasher = keyed.copy()
        hasher.update(raw[band * width : (band + 1) * width])
        digests += hasher.digest()
    keys: list[int] = np.frombuffer(digests, ">i8").tolist()
    return tuple(keys)


@cache
def _band_hashers() -> tuple[hashlib.blake2b, ...]:
    return tuple(
        hashlib.blake2b(digest_size=8, person=band.to_bytes(2, "big")) for band in range(BANDS)
    )


def fingerprint(text: str, words: list[str] | None = None) -> Fingerprint | None:
    """Fingerprint a body, or return None when it is too short to compare.

    Pass ``words`` when the caller already has ``normalized_words(text)``.
    """
    words = normalized_words(text) if words is None else words
    shingle_hashes = shingles(words)
    if shingle_hashes.size < MIN_SHINGLES:
        return None
    signature_values = signature(shingle_hashes)
    return Fingerprint(shingle_hashes, band_buckets(signature_values), body_hash(text, words))


def similarity(left: np.ndarray, right: np.ndarray) -> Similarity:
    """Compare two sets of shingle hashes exactly."""
    if left.size == 0 or right.size == 0:
        return Similarity(0.0, 0.0)
    common = np.intersect1d(left, right, assume_unique=True).size
    union = left.size + right.size - common
    return Similarity(common / union, common / min(left.size, right.size))
