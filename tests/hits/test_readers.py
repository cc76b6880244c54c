"""Most Popular and the hot lead count readers, not reloads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from newsdesk.hits.models import ArticleDaily, ArticleHourly, ArticleVisitor
from newsdesk.hits.popular import hot_lead, hot_ranking, most_popular
from newsdesk.hits.recorder import flush_now
from newsdesk.hits.rollups import apply_batch, prune_salts
from tests.hits import agents
from tests.hits.recording import NOON, view
from tests.hits.recording import make_article as make_recorded_article

pytestmark = pytest.mark.django_db


def _reader(address: str) -> Client:
    return Client(HTTP_USER_AGENT=agents.FIREFOX_LINUX, REMOTE_ADDR=address)


def test_five_readers_outrank_one_reader_reloading_200_times() -> None:
    """One client reloading 200 times counts 1 reader; 5 readers once each rank first."""
    reloaded = make_recorded_article("Reloaded story")
    shared = make_recorded_article("Shared story")
    reloader = _reader("198.51.100.7")
    for _ in range(200):
        reloader.get(reloaded.get_absolute_url())
        if _ == 99:
            flush_now()  # the seen-set spans batches, not only one batch
    for n in range(5):
        _reader(f"203.0.113.{n + 1}").get(shared.get_absolute_url())
    flush_now()
    cache.clear()  # the pages cached the sidebar's list before these views were stored

    ranked = [(article.title, readers) for article, readers in most_popular("24h")]
    assert ranked == [("Shared story", 5), ("Reloaded story", 1)]
    hot = hot_ranking(limit=2)
    assert [(h.article.title, h.readers) for h in hot] == [
        ("Shared story", 5),
        ("Reloaded story", 1),
    ]
    assert hot_lead() == shared
    # Raw views stay: the rollups keep every view for the dashboard.
    assert ArticleDaily.objects.get(article=reloaded).views == 200
    assert ArticleDaily.objects.get(article=reloaded).visitors == 1


def test_dashboard_shows_readers_and_raw_views(client: Client) -> None:
    """The dashboard's top list ranks by readers and shows the raw views beside them."""
    reloaded = make_recorded_article("Reloaded story")
    shared = make_recorded_article("Shared story")
    for _ in range(30):
        _reader("198.51.100.7").get(reloaded.get_absolute_url())
    for n in range(3):
        _reader(f"203.0.113.{n + 1}").get(shared.get_absolute_url())
    flush_now()
    client.force_login(User.objects.create_user("desk", password="desk-pass-1", is_staff=True))
    html = client.get("/dashboard/").content.decode()
    table = html[
        html.index('id="top-articles"') : html.index("</table>", html.index("top-articles"))
    ]
    rows = [row for row in table.split("<tr>") if "href" in row]
    assert "Shared story" in rows[0] and ">3<" in rows[0]
    assert "Reloaded story" in rows[1] and ">1<" in rows[1] and ">30<" in rows[1]


def test_a_reader_is_credited_to_the_hour_of_their_first_view() -> None:
    """Hours of a day add up to the day's readers: a returning reader adds views, not readers."""
    article = make_recorded_article()
    later = NOON + timedelta(hours=3)
    apply_batch([view(NOON, "a" * 32, article.pk), view(NOON, "b" * 32, article.pk)])
    apply_batch([view(later, "a" * 32, article.pk), view(later, "c" * 32, article.pk)])
    hours = {
        row.hour: (row.views, row.visitors) for row in ArticleHourly.objects.filter(article=article)
    }
    assert hours == {NOON.replace(minute=0): (2, 2), later.replace(minute=0): (2, 1)}
    daily = ArticleDaily.objects.get(article=article)
    assert (daily.views, daily.visitors) == (4, 3)


def test_the_same_visitor_on_another_article_or_day_is_a_new_reader() -> None:
    """Readers are per article and per day: ids rotate daily, articles are counted apart."""
    first = make_recorded_article("First")
    second = make_recorded_article("Second")
    tomorrow = NOON + timedelta(days=1)
    apply_batch(
        [
            view(NOON, "a" * 32, first.pk),
            view(NOON, "a" * 32, second.pk),
            view(tomorrow, "a" * 32, first.pk),
        ]
    )
    assert ArticleDaily.objects.get(article=second).visitors == 1
    assert sorted(
        ArticleDaily.objects.filter(article=first).values_list("visitors", flat=True)
    ) == [1, 1]


def test_reader_seen_sets_go_with_their_salt() -> None:
    """The per-article seen-set of a day is deleted with that day's salt; counts remain."""
    article = make_recorded_article()
    apply_batch([view(NOON, "a" * 32, article.pk)])
    assert ArticleVisitor.objects.count() == 1
    prune_salts(now=NOON + timedelta(days=1))
    assert ArticleVisitor.objects.count() == 1  # its salt lives until the next day ends
    prune_salts(now=NOON + timedelta(days=2))
    assert ArticleVisitor.objects.count() == 0
    assert ArticleDaily.objects.get(article=article).visitors == 1
