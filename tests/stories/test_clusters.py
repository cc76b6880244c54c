"""Story clustering: TF-IDF vectors, the join threshold, the time window and languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.stories.clusters import StoryIndex, stop_words, terms
from newsdesk.stories.types import ArticleItem, reported_at
from tests.stories.helpers import event

WINDOW = timedelta(hours=72)


def item(number: int, title: str, text: str, when: datetime, language: str = "en") -> ArticleItem:
    return ArticleItem(number, number, title, text, language, when, when)


def test_reported_at_uses_first_seen_for_a_bare_date() -> None:
    """A bare date orders by first-seen that day, else by the day's end; a real time is kept."""
    seen = datetime(2017, 12, 27, 15, 0, tzinfo=UTC)
    bare = datetime(2017, 12, 27, tzinfo=UTC)
    timed = datetime(2017, 12, 27, 8, 27, tzinfo=UTC)
    assert reported_at(bare, seen) == seen
    assert reported_at(timed, seen) == timed
    years_later = datetime(2026, 12, 1, tzinfo=UTC)
    end_of_day = reported_at(bare, years_later)
    assert end_of_day.date() == bare.date() and end_of_day > timed


def test_stop_words_come_from_the_articles_language() -> None:
    """English and German stop words are dropped; an unknown language drops none."""
    assert "the" in stop_words("en") and "und" in stop_words("de")
    assert stop_words("xx") == frozenset()
    counted = terms(item(1, "The ship and the bridge", "", datetime.now(UTC)))
    assert counted["ship"] == 2 and "the" not in counted


def test_reports_of_one_event_join_and_another_event_does_not() -> None:
    """A second report of an event joins its story; a report of another event starts one."""
    index = StoryIndex(WINDOW)
    first, second = event(4)[0], event(4)[1]
    other = event(12)[0]
    a = item(1, first.title, first.text, first.published)
    index.add(1, index.vectorize(a), a)
    b = item(2, second.title, second.text, second.published)
    match = index.best(index.vectorize(b), "en", b.reported_at)
    assert match is not None and match.key == 1
    c = item(3, other.title, other.text, first.published)
    assert index.best(index.vectorize(c), "en", c.reported_at) is None


def test_a_report_outside_the_window_starts_a_new_story() -> None:
    """The same event reported long after the story's last report does not join it."""
    index = StoryIndex(WINDOW)
    first, second = event(4)[0], event(4)[1]
    a = item(1, first.title, first.text, first.published)
    index.add(1, index.vectorize(a), a)
    late = item(2, second.title, second.text, first.published + WINDOW + timedelta(hours=1))
    assert index.best(index.vectorize(late), "en", late.reported_at) is None


def test_languages_never_meet() -> None:
    """The same words labelled as another language are not compared."""
    index = StoryIndex(WINDOW)
    first = event(4)[0]
    a = item(1, first.title, first.text, first.published)
    index.add(1, index.vectorize(a), a)
    b = item(2, first.title, first.text, first.published, language="de")
    assert index.best(index.vectorize(b), "de", b.reported_at) is None


def test_eviction_and_renaming_keep_postings_consistent() -> None:
    """A renamed story is found by its new key; an evicted one is found no more."""
    index = StoryIndex(WINDOW)
    first = event(4)[0]
    a = item(1, first.title, first.text, first.published)
    vector = index.vectorize(a)
    index.add(-1, vector, a)
    index.rename(-1, 42)
    match = index.best(vector, "en", a.reported_at)
    assert match is not None and match.key == 42
    assert index.evict(first.published + timedelta(days=30)) == 1
    assert index.best(vector, "en", a.reported_at) is None
    assert all(42 not in postings for postings in index.postings.values())


def _scalar_partial(index: StoryIndex, query: list[tuple[str, float]]) -> dict[int, float]:
    """The partial cosine of every story sharing a query term, one story and term at a time."""
    scores: dict[int, float] = {}
    for term, weight in query:
        for key in index.postings.get(term, {}):
            story = index.stories[key]
            scores[key] = scores.get(key, 0.0) + weight * story.centroid[term] / story.norm
    return scores


def test_batched_partial_scores_equal_the_scalar_ones() -> None:
    """likeliest() ranks stories as a per-story, per-term loop over their centroids would."""
    index = StoryIndex(WINDOW)
    number = 0
    for event_id in range(1, 13):
        for report in event(event_id)[:3]:
            number += 1
            placed = item(number, report.title, report.text, report.published)
            vector = index.vectorize(placed)
            match = index.best(vector, "en", placed.reported_at)
            index.add(match.key if match else -number, vector, placed)
    # Postings hold each story's current centroid weights; norms follow the centroids.
    for key, story in index.stories.items():
        assert index.norms[key] == pytest.approx(story.norm)
        for term, weight in story.centroid.items():
            assert index.postings[term].get(key, weight) == weight
    probe = event(13)[0]
    vector = index.vectorize(item(999, probe.title, probe.text, probe.published))
    query = sorted(vector.items(), key=lambda pair: -pair[1])[:30]
    expected = _scalar_partial(index, query)
    ranked = index.likeliest(query, len(expected))
    assert len(expected) > 5 and sorted(ranked) == sorted(expected)
    scores = [expected[key] for key in ranked]
    assert scores == sorted(scores, reverse=True)
    assert index.likeliest(query, 3) == ranked[:3]
    assert index.likeliest([("no-such-term", 1.0)], 3) == []


def test_terms_drop_single_letters_digits_and_stop_words_and_count_titles_twice() -> None:
    """Filtering distinct words keeps the counts a word-by-word filter would give."""
    when = datetime.now(UTC)
    counted = terms(item(1, "Flood in Lagos 2024", "x The flood closed 12 roads in Lagos.", when))
    assert counted == {"flood": 3, "lagos": 3, "closed": 1, "roads": 1}
