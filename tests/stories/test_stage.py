"""The Understand stage over the database: copies credited, events grouped, hidden ones leave."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsdesk.stories.evalset import CorpusArticle
from newsdesk.stories.models import Article, ArticleStatus, ReprintBands, StageLease, Story
from newsdesk.stories.refresh import refresh_stories
from newsdesk.stories.stage import (
    LEASE,
    LostLeaseError,
    acquire_lease,
    holder_name,
    invalidate_stage,
    reset_state,
    understand_new_articles,
)
from tests.site.factories import make_source
from tests.stories.helpers import event, store, store_older_copy_second

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    """Each test starts with no in-memory index, as a new process would."""
    reset_state()


def test_one_event_from_three_outlets_makes_one_story() -> None:
    """Three outlets' reports of one event land in one story with three sources."""
    reports = [store(a) for a in event(4)[:3]]
    result = understand_new_articles()
    assert result.placed == 3
    stories = {a.story_id for a in Article.objects.filter(pk__in=[r.pk for r in reports])}
    assert len(stories) == 1 and None not in stories
    story = Story.objects.get()
    assert story.source_count == 3 and story.article_count == 3
    first = min(reports, key=lambda a: (a.published_at, a.pk))
    assert story.first_article_id == first.pk


def test_copy_is_credited_to_the_earlier_original() -> None:
    """A later copy with a new intro points at the original; both sit in one story."""
    original = event(5)[0]
    first = store(original)
    copy_text = "Republished with permission.\n" + original.text
    copy = store(
        original,
        source=make_source(name="Republisher"),
        body_text=copy_text,
        url="https://republisher.example/copy",
        canonical_url="https://republisher.example/copy",
        published_at=original.published + timedelta(hours=5),
        first_seen_at=original.published + timedelta(hours=6),
    )
    understand_new_articles()
    copy.refresh_from_db()
    first.refresh_from_db()
    assert copy.reprint_of_id == first.pk
    assert first.reprint_of_id is None
    assert copy.story_id == first.story_id
    assert ReprintBands.objects.filter(article=copy).exists()


def test_an_older_copy_stored_later_becomes_the_original() -> None:
    """When the copy that arrives second was published first, the group moves to it."""
    late, early = store_older_copy_second(event(6)[0])
    late.refresh_from_db()
    early.refresh_from_db()
    assert late.reprint_of_id == early.pk
    assert early.reprint_of_id is None
    assert Story.objects.get(pk=late.story_id).first_article_id == early.pk


def test_same_canonical_url_is_an_exact_duplicate() -> None:
    """One feed added under two URLs: the second source's article is a copy of the first's."""
    article = event(12)[0]
    first = store(article)
    second = store(article, source=make_source(name="Same feed again"), body_text="short")
    understand_new_articles()
    second.refresh_from_db()
    assert second.reprint_of_id == first.pk


def test_hidden_article_leaves_its_story_and_its_copies_move_on() -> None:
    """Hiding the original takes it out; its copy becomes the original and the story shrinks."""
    original = event(14)[0]
    first = store(original)
    copy = store(
        original,
        source=make_source(name="Copyist"),
        url="https://copyist.example/1",
        canonical_url="https://copyist.example/1",
        published_at=original.published + timedelta(hours=1),
    )
    other = store(event(14)[1])
    understand_new_articles()
    first.refresh_from_db()
    story_id = first.story_id
    Article.objects.filter(pk=first.pk).update(status=ArticleStatus.HIDDEN)
    result = understand_new_articles()
    assert result.released == 1
    first.refresh_from_db()
    copy.refresh_from_db()
    assert first.story_id is None and first.reprint_of_id is None
    assert copy.reprint_of_id is None
    story = Story.objects.get(pk=story_id)
    assert story.article_count == Article.objects.filter(story_id=story_id).count()
    assert first.pk not in Article.objects.filter(story_id=story_id).values_list("pk", flat=True)
    assert Article.objects.filter(story_id=story_id, pk__in=[copy.pk, other.pk]).exists()


def test_a_second_runner_finds_the_lease_held() -> None:
    """While one process holds the lease another run places nothing."""
    store(event(16)[0])
    assert acquire_lease("someone-else") is not None
    assert understand_new_articles().placed == 0
    StageLease.objects.filter(name=LEASE).update(holder="")
    assert understand_new_articles().placed == 1


def test_an_editor_change_fences_out_a_stale_writer() -> None:
    """A write after an editor's change fails, so a stale index never writes."""
    from newsdesk.stories.stage import StageState, advance_generation
    from newsdesk.stories.understand import Understander

    holder = holder_name()
    generation = acquire_lease(holder)
    assert generation is not None
    state = StageState(generation, Understander(timedelta(hours=72)))
    invalidate_stage()
    with pytest.raises(LostLeaseError):
        advance_generation(holder, state)


def test_fingerprint_cache_stays_bounded() -> None:
    """The stage keeps at most FINGERPRINT_CACHE fingerprints, the newest ones."""
    import numpy as np

    from newsdesk.stories.archive import FINGERPRINT_CACHE, DatabaseArchive
    from newsdesk.stories.bands import BandIndex
    from newsdesk.stories.dedup import Fingerprint

    archive = DatabaseArchive({}, BandIndex())
    empty = Fingerprint(np.empty(0, np.uint32), (), "")
    for start in range(0, FINGERPRINT_CACHE * 2, 1000):
        archive.remember({key: empty for key in range(start, start + 1000)})
    assert len(archive.fingerprints) == FINGERPRINT_CACHE
    assert max(archive.fingerprints) == FINGERPRINT_CACHE * 2 - 1


def test_stored_bands_are_found_again_with_their_moment() -> None:
    """An article's bands are stored as one row with its first-seen time and read back whole."""
    from newsdesk.stories.archive import load_bands
    from newsdesk.stories.dedup import fingerprint

    original = event(5)[0]
    first = store(original)
    understand_new_articles()
    print_ = fingerprint(original.text)
    assert print_ is not None
    row = ReprintBands.objects.get(article=first)
    assert row.seen_at == first.first_seen_at
    found = load_bands().matches(set(print_.buckets) | {12345})
    assert set(found) == set(print_.buckets)
    assert all(ids == {first.pk} for ids in found.values())
    assert not load_bands(first.first_seen_at + timedelta(seconds=1)).matches(print_.buckets)


def store_partner_copy(original: CorpusArticle) -> Article:
    """Store ``original`` again from another outlet with a new intro: only bands can match it."""
    return store(
        original,
        source=make_source(name="Copyist"),
        body_text="Shared by a partner.\n" + original.text,
        url="https://copyist.example/r",
        canonical_url="https://copyist.example/r",
    )


def test_a_restarted_stage_finds_copies_through_stored_bands() -> None:
    """A new process rebuilds the band index from the database and still credits a copy."""
    original = event(5)[0]
    first = store(original)
    understand_new_articles()
    reset_state()
    copy = store_partner_copy(original)
    understand_new_articles()
    copy.refresh_from_db()
    assert copy.reprint_of_id == first.pk


def test_a_deleted_article_is_no_candidate() -> None:
    """Bands of an article deleted after indexing never make it a candidate (nor fail)."""
    original = event(5)[0]
    first = store(original)
    understand_new_articles()
    first.delete()
    copy = store_partner_copy(original)
    understand_new_articles()
    copy.refresh_from_db()
    assert copy.reprint_of_id is None
    assert copy.story_id is not None
    assert not ReprintBands.objects.filter(article_id=first.pk).exists()


def test_a_failed_write_leaves_no_trace_in_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database error mid-batch rolls the writes back; the index must not keep them."""
    from django.db import OperationalError

    from newsdesk.stories import stage

    reports = [store(a) for a in event(4)[:3]]

    def broken_write(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(stage, "_write", broken_write)
        with pytest.raises(OperationalError):
            understand_new_articles()
    assert Story.objects.count() == 0
    result = understand_new_articles()
    assert result.placed == 3
    story = Story.objects.get()
    assert story.source_count == 3 and story.article_count == 3
    assert {a.story_id for a in Article.objects.filter(pk__in=[r.pk for r in reports])} == {
        story.pk
    }
    # Placed once in the index too: a fourth report of the event joins this story.
    fourth = store(event(4)[3])
    understand_new_articles()
    fourth.refresh_from_db()
    assert fourth.story_id == story.pk


def test_summaries_kept_over_a_run_equal_a_recount() -> None:
    """Story summaries built batch by batch from known members match counting them again."""
    for number in (4, 5, 6, 12, 14):
        for article in event(number):
            store(article)
    understand_new_articles(batch_size=2)
    fields = [
        "headline",
        "first_article_id",
        "first_reported_at",
        "latest_reported_at",
        "last_seen_at",
        "article_count",
        "source_count",
    ]
    kept = list(Story.objects.order_by("pk").values_list(*fields))
    assert any(count > 2 for *_, count, _ in kept)  # some story grew over several batches
    refresh_stories(Story.objects.values_list("pk", flat=True))
    assert list(Story.objects.order_by("pk").values_list(*fields)) == kept
