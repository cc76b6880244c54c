"""Score reprint detection and story clustering on the labelled set (`newsdesk stories eval`).

Every pair of articles counts once. A pair is predicted a reprint pair when both
articles end in the same group of copies (one is the other's original, or both
copy one original), and a same-story pair when both are in one story. Precision
and recall are reported overall and per kind of pair, so a regression in one
kind of copy cannot hide behind the others.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from newsdesk.stories import clusters, dedup
from newsdesk.stories.dedup import Fingerprint, similarity
from newsdesk.stories.evalset import EvalSet, build_set
from newsdesk.stories.types import ArticleItem
from newsdesk.stories.understand import Known, Plan, Understander

BATCH = 50
# A body overlap above this between two articles of one event without the same
# headline is neither labelled copy nor labelled not-a-copy: left out of reprint scores.
AMBIGUOUS_OVERLAP = 0.5
SIMILAR_TITLES = 0.6


class MemoryArchive:
    """Placed articles kept in dictionaries: the evaluation's and the benchmark's archive."""

    def __init__(self) -> None:
        self.known: dict[int, Known] = {}
        self.bands: dict[int, set[int]] = {}
        self.urls: dict[str, set[int]] = {}
        self.hashes: dict[str, set[int]] = {}

    def band_matches(self, buckets: Collection[int]) -> dict[int, set[int]]:
        return {b: self.bands[b] for b in buckets if b in self.bands}

    def exact_matches(
        self, urls: Collection[str], hashes: Collection[str]
    ) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        return (
            {u: self.urls[u] for u in urls if u in self.urls},
            {h: self.hashes[h] for h in hashes if h in self.hashes},
        )

    def load(self, ids: Collection[int]) -> dict[int, Known]:
        return {key: self.known[key] for key in ids if key in self.known}

    def record(self, items: list[ArticleItem], plan: Plan) -> None:
        """Store a batch's placements as the stage would write them."""
        by_id = {item.id: item for item in items}
        for placement in plan.placements:
            item = by_id[placement.article_id]
            print_ = plan.fingerprints.get(item.id)
            self.known[item.id] = Known(
                item, placement.story_key, placement.reprint_of, print_, printed=True
            )
            if item.canonical_url:
                self.urls.setdefault(item.canonical_url, set()).add(item.id)
            if print_ is not None:
                self.hashes.setdefault(print_.body_hash, set()).add(item.id)
                for bucket in print_.buckets:
                    self.bands.setdefault(bucket, set()).add(item.id)
        for old, new in plan.regroup.items():
            for entry in self.known.values():
                if old in (entry.item.id, entry.reprint_of):
                    entry.reprint_of = None if entry.item.id == new else new


@dataclass
class Tally:
    """Pair counts of one kind."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    pairs: int = 0

    def add(self, labelled: bool, predicted: bool) -> None:
        self.pairs += 1
        if labelled and predicted:
            self.true_positive += 1
        elif predicted:
            self.false_positive += 1
        elif labelled:
            self.false_negative += 1

    def report(self) -> dict[str, Any]:
        tp, fp, fn = self.true_positive, self.false_positive, self.false_negative
        return {
            "pairs": self.pairs,
            "true_positive": tp,
            "false_positive": fp,
            "false_negative": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        }


@dataclass
class Outcome:
    """Where the Understander put every item of the set."""

    story: dict[int, int] = field(default_factory=dict)
    original: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0


def place_all(evaluation: EvalSet, window: timedelta) -> Outcome:
    """Place the set's items in arrival order, in batches, as the stage does."""
    understander = Understander(window)
    archive = MemoryArchive()
    started = time.perf_counter()
    for start in range(0, len(evaluation.items), BATCH):
        batch = evaluation.items[start : start + BATCH]
        archive.record(batch, understander.place(batch, archive))
    outcome = Outcome(seconds=time.perf_counter() - started)
    for key, known in archive.known.items():
        outcome.story[key] = known.story_key if known.story_key is not None else -key
        outcome.original[key] = known.reprint_of or key
    return outcome


def score(evaluation: EvalSet, outcome: Outcome, window: timedelta) -> dict[str, Any]:
    """Count every pair into the reprint and story tallies of its kinds.

    A story gathers reports within ``window`` of each other, so two reports of
    one event further apart are not a same-story pair: they are tallied apart
    (``same_event_beyond_window``) and left out of the story totals.
    """
    reprints: dict[str, Tally] = {"all": Tally()}
    stories: dict[str, Tally] = {"all": Tally()}
    prints = {item.id: dedup.fingerprint(item.text) for item in evaluation.items}
    when = {item.id: item.reported_at for item in evaluation.items}
    for left, right in itertools.combinations(sorted(outcome.story), 2):
        same_event = evaluation.event[left] == evaluation.event[right]
        story_kind = _story_kind(evaluation, left, right, same_event)
        predicted_story = outcome.story[left] == outcome.story[right]
        kinds = ["all", story_kind]
        if same_event and abs(when[left] - when[right]) > window:
            kinds = ["same_event_beyond_window"]
        for kind in kinds:
            stories.setdefault(kind, Tally()).add(same_event, predicted_story)
        copy_label = _copy_label(evaluation, prints, left, right, same_event)
        if copy_label is None:
            continue
        labelled, copy_kind = copy_label
        predicted_copy = outcome.original[left] == outcome.original[right]
        for kind in ("all", copy_kind):
            reprints.setdefault(kind, Tally()).add(labelled, predicted_copy)
    return {
        "reprints": {kind: tally.report() for kind, tally in sorted(reprints.items())},
        "stories": {kind: tally.report() for kind, tally in sorted(stories.items())},
    }


def _story_kind(evaluation: EvalSet, left: int, right: int, same_event: bool) -> str:
    if left in evaluation.copy_of or right in evaluation.copy_of:
        return "synthetic_copy" if same_event else "different_event"
    if same_event:
        same_outlet = evaluation.outlet[left] == evaluation.outlet[right]
        return "follow_up" if same_outlet else "same_event"
    same_topic = evaluation.category[left] == evaluation.category[right]
    return "same_topic_different_event" if same_topic else "different_event"


def _copy_label(
    evaluation: EvalSet,
    prints: dict[int, Fingerprint | None],
    left: int,
    right: int,
    same_event: bool,
) -> tuple[bool, str] | None:
    """Return (is a copy pair, kind), or None for a pair nobody labelled."""
    root_left = evaluation.copy_of.get(left, left)
    root_right = evaluation.copy_of.get(right, right)
    synthetic = left in evaluation.copy_of or right in evaluation.copy_of
    if synthetic and root_left == root_right:
        kind = evaluation.copy_kind.get(right) or evaluation.copy_kind.get(left, "")
        return True, f"synthetic_{kind}"
    if evaluation.event[root_left] == evaluation.event[root_right] and _maybe_copies(
        evaluation, prints, root_left, root_right
    ):
        return None
    if synthetic:
        return False, "other"
    if not same_event:
        return False, "other"
    same_outlet = evaluation.outlet[left] == evaluation.outlet[right]
    return False, "follow_up" if same_outlet else "same_event_not_copy"


def _maybe_copies(
    evaluation: EvalSet, prints: dict[int, Fingerprint | None], left: int, right: int
) -> bool:
    """Tell whether two real articles of one event might be wire copies (unlabelled)."""
    titles = _word_jaccard(evaluation.title_key[left], evaluation.title_key[right])
    return titles >= SIMILAR_TITLES or _overlap(prints.get(left), prints.get(right)) >= (
        AMBIGUOUS_OVERLAP
    )


def _word_jaccard(left: str, right: str) -> float:
    a, b = set(left.split()), set(right.split())
    return len(a & b) / len(a | b) if a and b else 0.0


def _overlap(left: Fingerprint | None, right: Fingerprint | None) -> float:
    if left is None or right is None:
        return 0.0
    return similarity(left.shingles, right.shingles).containment


def evaluate(splits: tuple[str, ...], window: timedelta) -> dict[str, Any]:
    """Build, place and score each split; return the JSON-ready results."""
    results: dict[str, Any] = {
        "parameters": {
            "shingle_words": dedup.SHINGLE_WORDS,
            "num_perm": dedup.NUM_PERM,
            "bands": dedup.BANDS,
            "rows": dedup.ROWS,
            "jaccard_min": dedup.JACCARD_MIN,
            "containment_min": dedup.CONTAINMENT_MIN,
            "join_threshold": clusters.JOIN_THRESHOLD,
            "window_hours": window.total_seconds() / 3600,
        },
        "targets": {
            "reprints": {"precision": 0.99, "recall": 0.95},
            "stories": {"precision": 0.95, "recall": 0.80},
        },
    }
    for split in splits:
        evaluation = build_set(split)
        outcome = place_all(evaluation, window)
        results[split] = {
            "articles": len(evaluation.items),
            "synthetic_copies": len(evaluation.copy_of),
            "copy_kinds": dict(Counter(evaluation.copy_kind.values())),
            "events": len(set(evaluation.event.values())),
            "placing_seconds": round(outcome.seconds, 3),
            **score(evaluation, outcome, window),
        }
    return results
