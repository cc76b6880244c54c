"""Write many rows with one prepared statement: the Understand stage and the crawler's hot paths.

``bulk_update`` builds a CASE expression per field and row, and ``bulk_create`` an
object per row; for thousands of placements and band rows a batch, most of the
stage's time went there. ``executemany`` keeps the write to one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model], names: Sequence[str]) -> tuple[list[str], list[int]]:
    """Return the quoted columns of ``names`` and the positions of the datetime ones."""
    columns = []
    moments = []
    for position, name in enumerate(names):
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        columns.append(connection.ops.quote_name(field.column))
        if isinstance(field, models.DateTimeField):
            moments.append(position)
    return columns, moments


def _adapted(rows: Sequence[tuple[object, ...]], moments: list[int]) -> list[Any]:
    # Each backend stores aware datetimes its own way (SQLite as text, in UTC).
    if not moments:
        return list(rows)
    adapt = connection.ops.adapt_datetimefield_value
    # A batch repeats few moments (one per article, or one "now"): adapt each once.
    done: dict[datetime, Any] = {}
    adapted = []
    for row in rows:
        values = list(row)
        for position in moments:
            value = values[position]
            if isinstance(value, datetime):
                found = done.get(value)
                if found is None:
                    found = done[value] = adapt(value)
                values[position] = found
        adapted.append(values)
    return adapted


# Table and column names below come from model metadata, never from input (hence noqa S608).


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """Set ``fields`` (by name) to each row's values, the row's last value being the pk."""
    if not rows:
        return
    quote = connection.ops.quote_name
    assert model._meta.pk is not None and model._meta.pk.column
    columns, moments = _columns(model, fields)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    pk = quote(model._meta.pk.column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _adapted(rows, moments))


def adapt_datetime(value: datetime) -> Any:
    """Return a datetime as the database backend stores it (for ``adapted`` rows)."""
    return connection.ops.adapt_datetimefield_value(value)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    adapted: bool = False,
) -> None:
    """Insert rows of ``fields`` values (by name) with one prepared statement.

    With ``adapted`` the caller already passed datetimes through ``adapt_datetime``.
    """
    if not rows:
        return
    columns, moments = _columns(model, fields)
    marks = ", ".join(["%s"] * len(columns))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows) if adapted else _adapted(rows, moments))


def insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[int]:
    """Insert rows of ``fields`` values and return their new primary keys, in row order.

    One multi-row INSERT ... RETURNING (SQLite 3.35+, PostgreSQL), as ``bulk_create``
    does, without building a model instance per row. Columns not named are left
    NULL (Django's defaults are Python's, not the database's): they must be nullable.
    """
    if not rows:
        return []
    assert model._meta.pk is not None and model._meta.pk.column
    columns, moments = _columns(model, fields)
    values = _adapted(rows, moments)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    # Bounded statements: SQLite allows 32766 variables.
    per_statement = max(1, 30_000 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES {', '.join([row_marks] * len(chunk))} RETURNING {pk}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])
            ids += [row[0] for row in cursor.fetchall()]
    return ids
