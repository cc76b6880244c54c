"""Staff dashboard, its CSV export and the public embeddable counters."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET, require_safe

from newsdesk.hits import charts, stats
from newsdesk.hits.models import ArticleDaily, SiteCounter
from newsdesk.stories.models import Article

COUNTER_SECONDS = 60


def _range_or_error(request: HttpRequest) -> tuple[stats.Range, str]:
    """Read the range from the query string; fall back to today with a message."""
    try:
        return stats.parse_range(request.GET), ""
    except stats.RangeError as exc:
        return stats.parse_range({}), str(exc)


@staff_member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show views, visitors, top lists and filtered bot traffic for a range."""
    span, error = _range_or_error(request)
    board = stats.build_dashboard(span)
    labels = [point.label for point in board.series]
    # Hours (or days) still to come keep their place on the axis but get no line:
    # drawn as zero they would read as a collapse in readers.
    drawn = stats.begun(board.series)
    chart = charts.line_chart(
        labels,
        [
            charts.Line("views", [p.views for p in drawn]),
            charts.Line("visitors", [p.visitors for p in drawn]),
        ],
        title=f"Views and visitors, {span.label}",
    )
    context: dict[str, Any] = {
        # The admin's chrome (header, staff links, logout): one staff area.
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,  # a wide page: no model list beside it
        "title": f"Readers · {span.label}",
        "board": board,
        "chart": chart,
        "device_chart": charts.bar_chart(board.devices, "Devices"),
        "browser_chart": charts.bar_chart(board.browsers, "Browsers"),
        "error": error,
        "presets": [("day", "Today"), ("30d", "30 days"), ("90d", "90 days")],
    }
    return render(request, "hits/dashboard.html", context)


@staff_member_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """Download the series of a range as CSV: one row per hour or day begun."""
    span, _ = _range_or_error(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"views-{span.first.isoformat()}-{span.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    # Per-point visitors are that hour's or day's distinct daily ids, never a range total.
    writer.writerow(["period_start_utc", "views", "daily_unique_visitors"])
    for point in stats.begun(stats.series(span)):
        writer.writerow([point.start.isoformat(), point.views, point.visitors])
    return response


def article_view_count(article_id: int) -> int:
    """Return all-time human views of one article from the daily rollup (a row a day)."""
    total = ArticleDaily.objects.filter(article_id=article_id).aggregate(total=Sum("views"))
    return int(total["total"] or 0)


def article_view_count_expression() -> Coalesce:
    """``article_view_count`` as an annotation of an article query (its page reads both at once)."""
    daily = (
        ArticleDaily.objects.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return Coalesce(Subquery(daily), 0)


def site_view_count() -> int:
    """Return all-time human views of the whole site."""
    counter = SiteCounter.objects.order_by("pk").first()
    return int(counter.views) if counter else 0


def _badge(label: str, views: int) -> dict[str, Any]:
    """Lay out a two-part badge; Verdana 11px is about 7px a character."""
    text = f"{views:,}"
    label_width, value_width = 7 * len(label) + 12, 7 * len(text) + 12
    return {
        "label": label,
        "views": views,
        "text": text,
        "label_width": label_width,
        "value_width": value_width,
        "width": label_width + value_width,
        "label_mid": label_width / 2,
        "value_mid": label_width + value_width / 2,
    }


def _counter_response(request: HttpRequest, fmt: str, label: str, views: int) -> HttpResponse:
    if fmt == "json":
        response: HttpResponse = JsonResponse({"views": views, "label": label})
    else:
        body = render_to_string("hits/counter.svg", _badge(label, views))
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    # Any site may embed or fetch the counter; it holds nothing private.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def head_without_body(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Answer HEAD with GET's status and headers but no body (RFC 9110 §9.3.2).

    Outside ``cache_page``, so a HEAD served from the cached GET loses its body too.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "HEAD":
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return wrapper


@require_safe
@head_without_body
@cache_page(COUNTER_SECONDS)
def article_counter(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Serve one published article's view count as an SVG badge or JSON."""
    if not Article.objects.published().filter(pk=pk).exists():
        raise Http404("no such article")
    return _counter_response(request, fmt, "views", article_view_count(pk))


@require_safe
@head_without_body
@cache_page(COUNTER_SECONDS)
def site_counter(request: HttpRequest, fmt: str) -> HttpResponse:
    """Serve the site-wide hit counter as an SVG badge or JSON."""
    return _counter_response(request, fmt, "hits", site_view_count())
