"""The staff dashboard and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from newsdesk.hits.models import FilteredDaily, FilterReason, SiteDaily
from tests.hits.showing import add_views, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    user = User.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    client.force_login(user)
    return client


def today() -> date:
    return timezone.now().date()


def test_anonymous_is_sent_to_login(client: Client) -> None:
    """Anonymous visitors are redirected to the login page."""
    for url in ["/dashboard/", "/dashboard/export.csv"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_non_staff_is_refused(client: Client) -> None:
    """A logged-in reader without staff status does not see the dashboard."""
    client.force_login(User.objects.create_user("reader", password="pw-reader-1"))
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(("query", "points"), [("", 24), ("?range=30d", 30), ("?range=90d", 90)])
def test_chart_has_one_point_per_bucket(staff_client: Client, query: str, points: int) -> None:
    """The server-rendered chart declares and draws one point per bucket of each line."""
    html = staff_client.get(f"/dashboard/{query}").content.decode()
    assert f'data-points="{points}"' in html
    # Two lines (views, visitors), each with one circle per bucket begun (today's
    # hours still to come are not drawn).
    drawn = timezone.now().astimezone(dt.UTC).hour + 1 if points == 24 else points
    assert f'data-drawn="{drawn}"' in html
    assert html.count('class="chart-point"') == 2 * drawn


def test_hourly_chart_leaves_future_hours_undrawn(staff_client: Client) -> None:
    """Hours after now keep their axis label but get no point, never a drop to zero."""
    html = staff_client.get("/dashboard/").content.decode()
    hour = timezone.now().astimezone(dt.UTC).hour
    if hour < 23:
        later = f"{hour + 1:02d}:00"
        assert f"<title>{later}: " not in html
    assert f"<title>{hour:02d}:00: " in html


def test_dashboard_shows_figures(staff_client: Client) -> None:
    """Views, honest visitor labels, top articles and filtered bots appear on the page."""
    article = make_article("A much read story")
    add_views(article, 0, 12, now=timezone.now())
    for offset in range(3):
        SiteDaily.objects.create(day=today() - timedelta(days=offset), views=10, visitors=4)
    FilteredDaily.objects.create(day=today(), reason=FilterReason.CRAWLER, requests=9)
    html = staff_client.get("/dashboard/?range=30d").content.decode()
    assert "A much read story" in html
    assert re.search(r'id="total-views">30<', html)
    assert "Visitor-days (sum of daily unique visitors)" in html
    assert re.search(r'id="total-visitors">12<', html)
    assert re.search(r'id="total-filtered">9<', html)
    assert "Known crawler" in html


def test_bad_range_shows_today_with_a_message(staff_client: Client) -> None:
    """A reversed custom range falls back to today and says why."""
    html = staff_client.get("/dashboard/?start=2026-02-10&end=2026-02-01").content.decode()
    assert "end is before start" in html
    assert 'data-points="24"' in html


def test_csv_export_lists_each_bucket(staff_client: Client) -> None:
    """The CSV has a header and one row per day with that day's views and uniques."""
    SiteDaily.objects.create(day=date(2026, 2, 2), views=15, visitors=6)
    response = staff_client.get("/dashboard/export.csv?start=2026-02-01&end=2026-02-03")
    assert response["Content-Type"].startswith("text/csv")
    assert "views-2026-02-01-2026-02-03.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["period_start_utc", "views", "daily_unique_visitors"],
        ["2026-02-01T00:00:00+00:00", "0", "0"],
        ["2026-02-02T00:00:00+00:00", "15", "6"],
        ["2026-02-03T00:00:00+00:00", "0", "0"],
    ]


HOSTILE_REFERERS = [
    "http://<script>alert(1)</script>/",
    'https://evil.example"><img src=x onerror=alert(2)>/',
    "http://spaced out.example/",
    "http://xn--zz.example/",
    "http://" + "x" * 70 + ".example/",
]


def test_referrer_list_shows_only_host_names(staff_client: Client) -> None:
    """Hostile Referer headers never reach the referrer list; a real host does, without path."""
    from newsdesk.hits.models import DimensionDaily
    from newsdesk.hits.recorder import flush_now
    from tests.hits import agents

    article = make_article("Referred story")
    for referer in [*HOSTILE_REFERERS, "https://news.example.org/path?q=<b>"]:
        Client(HTTP_USER_AGENT=agents.FIREFOX_LINUX, HTTP_REFERER=referer).get(
            article.get_absolute_url()
        )
    flush_now()
    # A row stored before hosts were checked stays off the list too.
    DimensionDaily.objects.create(
        day=today(), dimension="referrer", value="<script>x</script>", views=99
    )
    html = staff_client.get("/dashboard/").content.decode()
    table = html[html.index('id="top-referrers"') :]
    table = table[: table.index("</table>")]
    assert "news.example.org" in table and "/path" not in table
    assert "script" not in table and "img" not in table and "spaced" not in table
    assert re.findall(r"<td>([^<]*)</td>", table) == ["(direct)", "news.example.org"]
