"""The source health page's rows: each source's state in words, sorting and the failing filter.

Like Miniflux's and FreshRSS's feed lists, a status is a colour and a word
(never the colour alone), with the last error's reason beside it. The article
count is annotated in the same query (one query for the page, not one per row).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, OrderBy, Q, QuerySet, Value, When

from newsdesk.sources.models import FetchStatus, Source

# From this many failures in a row, a failing source shows red rather than amber.
FAILING_RED_AFTER = 3


@dataclass(frozen=True)
class Health:
    """A source's state as the page shows it: a CSS key (the colour) and words."""

    key: str  # ok, idle, failing, error, stopped, inactive
    label: str


@dataclass(frozen=True)
class Column:
    """A sortable column: its query-string key, its heading and what it orders by."""

    key: str
    label: str
    field: str
    # How the two directions read in the sort menu: (descending, ascending).
    directions: tuple[str, str] = ("highest first", "lowest first")


LATEST = ("latest first", "earliest first")
COLUMNS = (
    Column("name", "Source", "name", ("Z to A", "A to Z")),
    Column("status", "Status", "health_rank", ("worst first", "best first")),
    Column("success", "Last success", "last_success_at", LATEST),
    Column("failures", "Failures in a row", "consecutive_failures"),
    Column("response", "Avg. response", "response_ms", ("slowest first", "fastest first")),
    Column("items", "Items / day", "items_per_day"),
    Column("next", "Next fetch", "next_fetch_at", LATEST),
    Column("articles", "Articles", "article_count"),
)
SORTS = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "-status"


def sort_choices() -> list[tuple[str, str]]:
    """Every sort as (query value, words) for the sort menu (phones have no headings)."""
    return [
        (value, f"{column.label}, {words}")
        for column in COLUMNS
        for value, words in (
            (f"-{column.key}", column.directions[0]),
            (column.key, column.directions[1]),
        )
    ]


def health_of(source: Source) -> Health:
    """Say how a source is doing, from its stored fetch state."""
    failures = source.consecutive_failures
    if not source.active:
        return Health("inactive", "Inactive (deactivated)")
    if source.fetch_stopped_at is not None:
        return Health("stopped", "Stopped by the crawler")
    if source.last_status == FetchStatus.ERROR:
        key = "error" if failures >= FAILING_RED_AFTER else "failing"
        return Health(key, f"Failing ({failures} in a row)")
    if source.last_status == FetchStatus.NEVER:
        return Health("idle", "Not fetched yet")
    if source.last_status == FetchStatus.NOT_MODIFIED:
        return Health("ok", "OK (not modified)")
    return Health("ok", "OK")


def failing_filter() -> Q:
    """Sources whose last fetch failed, or that the crawler stopped."""
    return Q(last_status=FetchStatus.ERROR) | Q(fetch_stopped_at__isnull=False)


def parse_sort(raw: str) -> str:
    """Return a known sort ("key" or "-key"); the default for anything else."""
    return raw if raw.lstrip("-") in SORTS else DEFAULT_SORT


def health_rows(sort: str, *, failing_only: bool = False) -> QuerySet[Source]:
    """Every source (or the failing ones) with ``article_count``, in the order asked."""
    rows = Source.objects.select_related("category").annotate(
        article_count=Count("articles"), health_rank=_health_rank()
    )
    if failing_only:
        rows = rows.filter(failing_filter())
    return rows.order_by(*_order(sort), "name", "pk")


def failing_count() -> int:
    return Source.objects.filter(failing_filter()).count()


def _health_rank() -> Case:
    """Worse is higher: stopped, failing, never fetched, fine, inactive."""
    return Case(
        When(active=False, then=Value(-1)),
        When(fetch_stopped_at__isnull=False, then=Value(3)),
        When(last_status=FetchStatus.ERROR, then=Value(2)),
        When(last_status=FetchStatus.NEVER, then=Value(1)),
        default=Value(0),
    )


def _order(sort: str) -> list[OrderBy]:
    """Order by the column (empty values last either way); status ties by failures."""
    column = SORTS[sort.lstrip("-")]
    fields = [column.field, "consecutive_failures"] if column.key == "status" else [column.field]
    descending = sort.startswith("-")
    return [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
