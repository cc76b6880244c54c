"""Each source's published count, kept by database triggers (stories/source_counts.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test import Client

from newsdesk.sources.models import Source
from newsdesk.stories import source_counts
from newsdesk.stories.models import Article, ArticleStatus
from tests.site.factories import make_article, make_category, make_source

pytestmark = pytest.mark.django_db


def kept() -> dict[int, int]:
    return dict(Source.objects.values_list("pk", "published_count"))


def counted() -> dict[int, int]:
    published = Q(articles__status=ArticleStatus.PUBLISHED)
    return dict(
        Source.objects.annotate(n=Count("articles", filter=published)).values_list("pk", "n")
    )


def test_counts_follow_every_way_an_article_changes() -> None:
    """Store, hide, publish, move, update in bulk, bulk-create and delete: the count keeps up."""
    first, second = make_source(), make_source()
    articles = [make_article(source=first) for _ in range(3)]
    make_article(source=first, status=ArticleStatus.HIDDEN)
    assert kept() == counted() == {first.pk: 3, second.pk: 0}

    articles[0].status = ArticleStatus.HIDDEN
    articles[0].save()
    articles[1].source = second
    articles[1].save()
    articles[2].save()  # saved unchanged: no count moves
    assert kept() == counted() == {first.pk: 1, second.pk: 1}

    Article.objects.filter(source=first).update(status=ArticleStatus.PUBLISHED)
    assert kept() == counted() == {first.pk: 3, second.pk: 1}

    Article.objects.bulk_create(
        [
            Article(
                source=second,
                guid=f"bulk-{n}",
                url=f"https://example.org/b/{n}",
                slug=f"b-{n}",
                title=f"Bulk {n}",
                published_at=articles[2].published_at,
                first_seen_at=articles[2].first_seen_at,
            )
            for n in range(4)
        ]
    )
    assert kept() == counted() == {first.pk: 3, second.pk: 5}

    Article.objects.filter(source=second).delete()
    assert kept() == counted() == {first.pk: 3, second.pk: 0}


def test_recount_repairs_a_count_from_the_articles() -> None:
    source = make_source()
    make_article(source=source)
    Source.objects.filter(pk=source.pk).update(published_count=40)
    source_counts.recount()
    assert kept() == {source.pk: 1}


def test_sqlite_triggers_come_back_after_a_table_rebuild() -> None:
    """Django's SQLite schema editor drops a table's triggers; migrate's hook restores them."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds tables to alter them; PostgreSQL keeps its triggers")
    source_counts.drop_triggers(connection)
    source_counts.ensure_sqlite_triggers(connection)
    source = make_source()
    make_article(source=source)
    assert kept() == {source.pk: 1}


def test_navigation_counts_read_the_sources_counts(client: Client) -> None:
    """The nav sums its active sources' counts; an inactive source's articles are not shown."""
    category = make_category(name="World")
    active, stopped = make_source(category=category), make_source(category=category)
    make_article(source=active)
    make_article(source=active)
    make_article(source=stopped)
    Source.objects.filter(pk=stopped.pk).update(active=False)
    html = client.get("/latest/").content.decode()
    assert '<span class="count">2</span>' in html
