"""The bulk write helpers: one statement, rows as given."""

from __future__ import annotations

import pytest
from django.utils import timezone

from newsdesk.core.writes import insert_returning_ids
from newsdesk.stories.models import Story

pytestmark = pytest.mark.django_db


def test_inserted_rows_come_back_with_their_ids_in_row_order() -> None:
    """Each returned id is the row at the same position, across several statements."""
    now = timezone.now()
    rows = [(f"story {n}", n % 2 == 0, n, 0, now) for n in range(7000)]
    fields = ["headline", "headline_edited", "article_count", "source_count", "created_at"]
    ids = insert_returning_ids(Story, fields, rows)
    assert len(ids) == len(set(ids)) == 7000
    stored = dict(Story.objects.values_list("pk", "headline"))
    assert [stored[pk] for pk in ids] == [row[0] for row in rows]
    assert Story.objects.get(pk=ids[3]).created_at == now
    assert insert_returning_ids(Story, fields, []) == []
