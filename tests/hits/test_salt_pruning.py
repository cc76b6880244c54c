"""The hit tracker's prune: a day's seen-sets go with its salt, 24 hours after the day."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

import pytest

from newsdesk.hits.models import DailyVisitor, HourlyVisitor
from newsdesk.hits.rollups import prune_salts
from newsdesk.visitors import salts
from newsdesk.visitors.models import DailySalt

DAY = date(2026, 3, 10)


@pytest.mark.django_db
def test_salt_lives_until_24_hours_after_its_day() -> None:
    """Day D's salt survives through D+1 and is deleted, with its seen-sets, at D+2 00:00 UTC."""
    salts.salt_for(DAY)
    DailyVisitor.objects.create(day=DAY, visitor="v")
    HourlyVisitor.objects.create(hour=datetime(2026, 3, 10, 23, tzinfo=dt.UTC), visitor="v")
    late_next_day = datetime(2026, 3, 11, 23, 59, 59, tzinfo=dt.UTC)
    assert prune_salts(late_next_day) == (0, 0)
    assert DailySalt.objects.filter(day=DAY).exists()

    assert prune_salts(datetime(2026, 3, 12, 0, 0, tzinfo=dt.UTC)) == (1, 2)
    assert not DailySalt.objects.filter(day=DAY).exists()
    assert DAY not in salts._salts
