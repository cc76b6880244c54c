"""Group articles about the same event into stories: TF-IDF vectors and an online index.

Each article becomes a sparse TF-IDF vector of its title (counted twice: a title
names the event) and its lead (summary and the first ``LEAD_WORDS`` words of the body), without the
language's stop words (jusText's lists, shipped with trafilatura). Each story keeps
the sum of its articles' vectors; a new article joins the story whose centroid is
closest by cosine, if that is at least ``JOIN_THRESHOLD`` and the story's reports
lie within the time window, or starts a new story.

Languages: vectors compare words, so only articles in the same language meet.
No translation model ships as a package, and names alone ("Duisburg", "Rhine")
join too many different events across languages to keep precision; see
docs/architecture.md.

Memory stays bounded: stories unseen for longer than the window leave the index,
each centroid keeps its ``CENTROID_TERMS`` heaviest terms, and the document
frequencies are halved and thinned when they exceed ``MAX_TERMS``.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import repeat
from operator import itemgetter, mul
from sys import intern

import justext

from newsdesk.core.languages import language_name
from newsdesk.core.text import normalized_words
from newsdesk.stories.types import ArticleItem

# Tuned on the development half of the evaluation set (`newsdesk stories eval`).
JOIN_THRESHOLD = 0.2
TITLE_WEIGHT = 2
LEAD_WORDS = 400
QUERY_TERMS = 30
FULL_SCORES = 5
CENTROID_TERMS = 200
POSTINGS_PER_TERM = 100
MAX_TERMS = 500_000

Vector = dict[str, float]


@cache
def stop_words(language: str) -> frozenset[str]:
    """Return the stop words of a language code, or none when jusText has no list."""
    name = language_name(language).replace(" ", "_") if language else ""
    try:
        return frozenset(justext.get_stoplist(name)) if name else frozenset()
    except ValueError:
        return frozenset()


def terms(item: ArticleItem, body_words: list[str] | None = None) -> Counter[str]:
    """Count an article's terms: title words twice, then its lead, stop words dropped.

    Pass ``body_words`` when the caller already has ``normalized_words(item.text)``.
    """
    stops = stop_words(item.language)
    title = normalized_words(item.title)
    if body_words is None:
        body_words = normalized_words(item.text[: LEAD_WORDS * 10])
    lead = (normalized_words(item.summary) + body_words[:LEAD_WORDS])[:LEAD_WORDS]
    # One count over the whole list: the same counts, in the same order, as one update a part.
    counts = Counter(title * TITLE_WEIGHT + lead)
    # Filter distinct words once rather than every occurrence; the kept ones keep their order.
    # dict's own __delitem__: Counter's is a Python method, and a lead drops dozens of words.
    drop = dict.__delitem__
    for word in [word for word in counts if word in stops or len(word) < 2 or word.isdigit()]:
        drop(counts, word)
    return counts


@dataclass
class StoryEntry:
    """One story in the index: its centroid and the span of its reports."""

    key: int
    language: str
    first_at: datetime
    last_at: datetime
    last_seen: datetime
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0
    size: int = 0

    def within(self, moment: datetime, window: timedelta) -> bool:
        return self.first_at - window <= moment <= self.last_at + window


@dataclass(frozen=True)
class Match:
    """The story an article fits best, and how well."""

    key: int
    score: float


class StoryIndex:
    """Recent stories, searchable by the terms of a new article."""

    def __init__(self, window: timedelta, threshold: float | None = None) -> None:
        self.window = window
        self.threshold = JOIN_THRESHOLD if threshold is None else threshold
        self.stories: dict[int, StoryEntry] = {}
        # term -> {story key: the term's weight in the story's centroid}
        self.postings: dict[str, dict[int, float]] = {}
        # story key -> its centroid's norm, for scoring many candidates at once.
        self.norms: dict[int, float] = {}
        self.document_frequency: Counter[str] = Counter()
        self.documents = 0

    def vectorize(self, item: ArticleItem, body_words: list[str] | None = None) -> Vector:
        """Return the article's L2-normalised TF-IDF vector, counting it into the frequencies."""
        return self.weigh(terms(item, body_words))

    def weigh(self, counts: Counter[str]) -> Vector:
        """Return the TF-IDF vector of an article's ``terms``, counting it into the frequencies."""
        self.documents += 1
        self.document_frequency.update(counts.keys())
        if len(self.document_frequency) > MAX_TERMS:
            self._thin_frequencies()
        log = math.log
        frequency = self.document_frequency
        total = self.documents + 1
        vector = {
            term: (1 + log(count)) * (log(total / (frequency[term] + 1)) + 1)
            for term, count in counts.items()
        }
        weights = vector.values()
        length = math.sqrt(sum(map(mul, weights, weights))) or 1.0
        return {term: weight / length for term, weight in vector.items()}

    def _thin_frequencies(self) -> None:
        # Halve every count and forget the terms seen once: old news weighs less.
        self.document_frequency = Counter(
            {term: count // 2 for term, count in self.document_frequency.items() if count > 1}
        )
        self.documents //= 2

    def best(self, vector: Vector, language: str, moment: datetime) -> Match | None:
        """Return the closest story within the window above the threshold, if any.

        The article's heaviest terms gather candidates and a partial score from
        the postings; only the ``FULL_SCORES`` best candidates get a full cosine.
        """
        # What heapq.nlargest promises to equal (ties in order), in C: a vector has ~100 terms.
        query = sorted(vector.items(), key=itemgetter(1), reverse=True)[:QUERY_TERMS]
        found: Match | None = None
        checked = 0
        for key in self.likeliest(query, FULL_SCORES * 4):
            story = self.stories[key]
            if story.language != language or not story.within(moment, self.window):
                continue
            score = _dot(vector, story.centroid) / story.norm
            if score >= self.threshold and (found is None or score > found.score):
                found = Match(key, score)
            checked += 1
            if checked == FULL_SCORES:
                break
        return found

    def likeliest(self, query: list[tuple[str, float]], count: int) -> list[int]:
        """Return the ``count`` stories with the highest partial cosine over ``query``, best first.

        Sums run in query order, term by term (the order numpy's bincount summed them
        in before: the same floats); ties go to the lower story key.
        """
        every = self.postings
        sums: dict[int, float] = {}
        get = sums.get
        for term, weight in query:
            postings = every.get(term)
            if postings:
                # A few hundred postings a query: a dict is cheaper than numpy's fixed costs.
                for key, value in postings.items():
                    sums[key] = get(key, 0.0) + value * weight
        if not sums:
            return []
        norms = self.norms
        scores = [(total / norms[key], -key) for key, total in sums.items()]
        return [-negated for _, negated in heapq.nlargest(count, scores)]

    def add(self, key: int, vector: Vector, item: ArticleItem) -> None:
        """Put an article's vector into story ``key`` (created when new)."""
        moment = item.reported_at
        story = self.stories.get(key)
        if story is None:
            story = StoryEntry(key, item.language, moment, moment, item.first_seen_at)
            self.stories[key] = story
        story.first_at = min(story.first_at, moment)
        story.last_at = max(story.last_at, moment)
        story.last_seen = max(story.last_seen, item.first_seen_at)
        story.size += 1
        centroid = story.centroid
        # Only the article's terms change weight: the postings of the others stay as they are.
        every = self.postings
        for term, weight in vector.items():
            known = centroid.get(term)
            if known is None:
                # Interned where a term enters a centroid: centroids and postings then share
                # one string a term, not one an article (a fifth of the index's memory).
                term = intern(term)
                total = centroid[term] = weight
            else:
                total = centroid[term] = known + weight
            postings = every.get(term)
            if postings is None:
                every[term] = {key: total}
            elif key in postings:
                # Assigning an existing key keeps its place: the oldest story still goes first.
                postings[key] = total
            else:
                postings[key] = total
                if len(postings) > POSTINGS_PER_TERM:
                    del postings[next(iter(postings))]
        self._trim(story)
        values = story.centroid.values()
        story.norm = self.norms[key] = math.sqrt(sum(map(mul, values, values))) or 1.0

    def _trim(self, story: StoryEntry) -> None:
        if len(story.centroid) > CENTROID_TERMS:
            # sorted() is what heapq.nlargest promises to equal, and faster for so few cut.
            kept = sorted(story.centroid.items(), key=itemgetter(1), reverse=True)[:CENTROID_TERMS]
            for term in story.centroid.keys() - dict(kept).keys():
                self._unpost(term, story.key)
            story.centroid = dict(kept)

    def _unpost(self, term: str, key: int) -> None:
        postings = self.postings.get(term)
        if postings is not None:
            postings.pop(key, None)
            if not postings:
                del self.postings[term]

    def rename(self, old: int, new: int) -> None:
        """Give a story its database id in place of the temporary key it was created with."""
        story = self.stories.pop(old)
        story.key = new
        self.stories[new] = story
        self.norms[new] = self.norms.pop(old)
        for term in story.centroid:
            postings = self.postings.get(term)
            if postings is not None and old in postings:
                postings[new] = postings.pop(old)

    def evict(self, seen_before: datetime) -> int:
        """Forget stories with no article first seen since ``seen_before``; return how many."""
        stale = [key for key, story in self.stories.items() if story.last_seen < seen_before]
        for key in stale:
            self.forget(key)
        return len(stale)

    def forget(self, key: int) -> None:
        story = self.stories.pop(key, None)
        self.norms.pop(key, None)
        if story is not None:
            for term in story.centroid:
                self._unpost(term, key)

    def __len__(self) -> int:
        return len(self.stories)


def _dot(left: Vector, right: Vector) -> float:
    if len(left) > len(right):
        left, right = right, left
    # map() over C functions: a third of the time of the same sum as a generator.
    found = map(right.get, left.keys(), repeat(0.0))
    return float(sum(map(mul, left.values(), found)))
