"""The dashboard's SVG chart: hours still to come keep their place but are not drawn."""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime, timedelta

import pytest

from newsdesk.hits import charts, stats

LABELS = [f"{hour:02d}:00" for hour in range(24)]


def points_x(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'class="chart-point" cx="([0-9.]+)"', svg)]


def test_a_short_line_stops_where_its_values_end() -> None:
    """Ten values over 24 labels: ten points, on the first ten hours' places, none at zero after."""
    svg = str(charts.line_chart(LABELS, [charts.Line("views", [5] * 10)], "Today"))
    assert 'data-points="24"' in svg and 'data-drawn="10"' in svg
    xs = points_x(svg)
    assert len(xs) == 10
    full = points_x(str(charts.line_chart(LABELS, [charts.Line("views", [5] * 24)], "Today")))
    assert xs == full[:10]
    assert "<title>10:00: " not in svg and "<title>09:00: 5 views</title>" in svg
    # The axis still names the later hours.
    assert ">22:00</text>" in svg


def test_a_line_longer_than_the_axis_is_refused() -> None:
    with pytest.raises(ValueError, match="more values"):
        charts.line_chart(LABELS[:2], [charts.Line("views", [1, 2, 3])], "Too long")


def test_begun_keeps_the_hours_started_by_now() -> None:
    """At 09:30 the hours 00:00 to 09:00 have begun; 10:00 onwards have no data yet."""
    day = dt.date(2026, 12, 1)
    start = datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    points = [stats.Point(start + timedelta(hours=h), f"{h:02d}:00", 0, 0) for h in range(24)]
    begun = stats.begun(points, now=start + timedelta(hours=9, minutes=30))
    assert [p.label for p in begun] == LABELS[:10]
    assert stats.begun(points, now=start + timedelta(days=2)) == points
