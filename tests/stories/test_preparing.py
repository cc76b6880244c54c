"""The stage's helper process: batches prepared ahead place exactly as when prepared in process."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from newsdesk.stories import stage
from newsdesk.stories.models import Article, ReprintBands, Story
from newsdesk.stories.preparing import Ahead, Preparer
from newsdesk.stories.stage import next_items, reset_state, understand_new_articles
from newsdesk.stories.types import ArticleItem
from newsdesk.stories.understand import Prepared, prepare_all
from tests.stories.helpers import corpus, event, store, store_republished


def _items(count: int) -> list[ArticleItem]:
    when = corpus()[0].published
    return [
        ArticleItem(
            id=number,
            source_id=1,
            title=article.title,
            text=article.text,
            language="en",
            published_at=when,
            first_seen_at=when,
        )
        for number, article in enumerate(corpus()[:count], start=1)
    ]


def _same(left: Prepared, right: Prepared) -> bool:
    if (left.print_ is None) != (right.print_ is None) or left.counts != right.counts:
        return False
    if left.print_ is None or right.print_ is None:
        return True
    return (
        np.array_equal(left.print_.shingles, right.print_.shingles)
        and left.print_.buckets == right.print_.buckets
        and left.print_.body_hash == right.print_.body_hash
        and list(left.counts) == list(right.counts)
    )


@pytest.fixture
def preparer() -> Iterator[Preparer]:
    helper = Preparer(min_batch=2)
    yield helper
    helper.close()


def test_the_helper_prepares_what_the_stage_would(preparer: Preparer) -> None:
    """Fingerprints and term counts (in their order) come back from the helper unchanged."""
    items = _items(6)
    ahead = preparer.submit(items)
    assert ahead.future is not None
    prepared = preparer.collect(ahead)
    expected = prepare_all(items)
    assert prepared.keys() == expected.keys()
    assert all(_same(prepared[key], expected[key]) for key in expected)


def test_small_batches_stay_in_process(preparer: Preparer) -> None:
    """A batch below the threshold is not sent: nothing comes back, the stage prepares it."""
    ahead = preparer.submit(_items(1))
    assert ahead.future is None and preparer.collect(ahead) == {}


def test_no_helper_means_in_process(monkeypatch: pytest.MonkeyPatch, preparer: Preparer) -> None:
    """Where no child process may start (a daemonic worker), batches are prepared in process."""

    def refuse(method: str) -> None:
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr("newsdesk.stories.preparing.multiprocessing.get_context", refuse)
    assert preparer.submit(_items(3)).future is None
    assert preparer.submit(_items(3)).future is None  # and it does not try again


@pytest.mark.django_db
def test_the_stage_places_alike_with_and_without_the_helper(
    monkeypatch: pytest.MonkeyPatch, preparer: Preparer
) -> None:
    """Batches read ahead and prepared by the helper end in the same stories and copies."""
    for number in (4, 5, 6):
        for article in event(number)[:3]:
            store(article)
    original = event(12)[0]
    store(original)
    store_republished(original)

    def placements() -> list[tuple[int, int | None, int | None]]:
        rows = Article.objects.order_by("pk").values_list("pk", "story_id", "reprint_of_id")
        first: dict[int | None, int] = {}
        return [(pk, first.setdefault(story, pk), copy) for pk, story, copy in rows]

    monkeypatch.setattr(stage, "_preparer", Preparer(min_batch=10**6))
    understand_new_articles(batch_size=3)
    in_process = placements()
    assert in_process[-1][2] is not None  # the copy was credited
    Article.objects.update(story=None, reprint_of=None, understood_at=None)
    Story.objects.all().delete()
    ReprintBands.objects.all().delete()
    reset_state()
    monkeypatch.setattr(stage, "_preparer", preparer)
    understand_new_articles(batch_size=3)
    assert placements() == in_process


@pytest.mark.django_db
def test_a_run_of_one_batch_starts_no_helper(
    monkeypatch: pytest.MonkeyPatch, preparer: Preparer
) -> None:
    """Only a batch the helper can prepare while another is placed is sent to it."""
    for article in event(4)[:3]:
        store(article)
    sent: list[int] = []
    submit = preparer.submit

    def counting(items: list[ArticleItem]) -> Ahead:
        sent.append(len(items))
        return submit(items)

    monkeypatch.setattr(preparer, "submit", counting)
    monkeypatch.setattr(stage, "_preparer", preparer)
    understand_new_articles(batch_size=10)
    assert Article.objects.filter(story__isnull=True).count() == 0
    assert preparer._pool is None and sum(sent) == 0


@pytest.mark.django_db
def test_the_next_batch_is_read_after_the_current_one() -> None:
    """``after`` skips the batch being placed, in storing order."""
    stored = [store(article) for article in event(4)[:4]]
    ids = [item.id for item in next_items(2, after=stored[1].pk)]
    assert ids == [stored[2].pk, stored[3].pk]
