"""Admin for sources, categories and editors."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime

from newsdesk.core.staff_log import NamedStateAdmin
from newsdesk.sources import actions, health
from newsdesk.sources.forms import OpmlImportForm, SubscribeForm
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.sources.opml import export_opml

logger = logging.getLogger(__name__)

# How each "fetch now" outcome (sources.actions.FetchNow.level) is shown.
MESSAGE_LEVELS = {
    "success": messages.SUCCESS,
    "warning": messages.WARNING,
    "error": messages.ERROR,
    "queued": messages.INFO,
}

HEALTH_PAGE_SIZE = 100
ERROR_SUMMARY_CHARS = 140
LATEST_ENTRIES = 10

# Feeds and pages are nearly all https; say so now rather than in Django 6.
URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Editor)
class EditorAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["display_name", "slug", "user", "source_count"]
    search_fields = ["display_name", "bio"]
    prepopulated_fields = {"slug": ["display_name"]}
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Editor]:
        return super().get_queryset(request).annotate(source_count=Count("sources"))

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, obj: Editor) -> int:
        return int(getattr(obj, "source_count", 0))


class FetchingFilter(admin.SimpleListFilter):
    title = "fetching"
    parameter_name = "fetching"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Fetched"), ("stopped", "Stopped by the crawler")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> QuerySet[Source]:
        if self.value() == "yes":
            return queryset.filter(fetch_stopped_at__isnull=True)
        if self.value() == "stopped":
            return queryset.filter(fetch_stopped_at__isnull=False)
        return queryset


@admin.register(Source)
class SourceAdmin(NamedStateAdmin):
    """Sources; "active" changes only through the named actions (sources.actions)."""

    state_fields = ("active",)
    formfield_overrides = URL_FIELDS
    # Fits 1366 px: no model sidebar beside it (changelist_view), long feed URLs
    # and errors wrap in their cells (staff/staff.css); "active" shows in status.
    list_display = [
        "name",
        "feed_link",
        "category",
        "fetch_health",
        "error_summary",
        "article_count",
        "next_fetch_at",
    ]
    list_filter = ["last_status", "category", "active", FetchingFilter, "editor"]
    list_select_related = ["category", "editor"]
    search_fields = ["name", "feed_url", "site_url"]
    actions = ["fetch_now", "resume_fetching", "activate", "deactivate", "export_opml"]
    change_list_template = "admin/sources/source/change_list.html"
    readonly_fields = [
        "articles_link",
        "latest_entries",
        "last_success_at",
        "average_response",
        "publishing_rate",
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_status",
        "last_http_status",
        "last_error",
        "consecutive_failures",
        "failing_since",
        "fetch_stopped_at",
        "fetch_stopped_reason",
        "previous_feed_url",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "feed_url", "site_url", "category", "editor", "language"]}),
        (
            "Schedule",
            {
                "fields": [
                    "active",
                    "fetch_interval",
                    "next_fetch_at",
                    "fetch_stopped_at",
                    "fetch_stopped_reason",
                ]
            },
        ),
        (
            "Last fetch",
            {
                "fields": [
                    "last_status",
                    "last_http_status",
                    "last_fetched_at",
                    "consecutive_failures",
                    "failing_since",
                    "last_error",
                    "last_success_at",
                    "average_response",
                    "publishing_rate",
                    "previous_feed_url",
                    "etag",
                    "last_modified",
                    "created_at",
                ]
            },
        ),
    ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        wide = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context=wide)

    def get_fieldsets(self, request: HttpRequest, obj: Source | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.insert(1, ("Articles", {"fields": ["articles_link", "latest_entries"]}))
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        # One query for the whole list: the count is a join, not a query per row.
        # An aggregate drops Meta.ordering, which autocomplete's paginator needs.
        counted = super().get_queryset(request).annotate(article_count=Count("articles"))
        return counted.order_by("name", "pk")  # Source.Meta.ordering

    @admin.display(description="feed URL", ordering="feed_url")
    def feed_link(self, obj: Source) -> str:
        return format_html('<a href="{}" rel="noreferrer">{}</a>', obj.feed_url, obj.feed_url)

    @admin.display(description="status", ordering="last_status")
    def fetch_health(self, obj: Source) -> str:
        state = health.health_of(obj)
        return format_html(
            '<span class="health-status health-{}">{}</span>', state.key, state.label
        )

    @admin.display(description="last error")
    def error_summary(self, obj: Source) -> str:
        reason = obj.fetch_stopped_reason or obj.last_error
        return Truncator(reason).chars(ERROR_SUMMARY_CHARS) if reason else "—"

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj: Source) -> str:
        return format_html(
            '<a href="{}">{}</a>', _articles_url(obj), intcomma(getattr(obj, "article_count", 0))
        )

    @admin.display(description="average response")
    def average_response(self, obj: Source) -> str:
        return "—" if obj.response_ms is None else f"{obj.response_ms:,.0f} ms"

    @admin.display(description="items per day")
    def publishing_rate(self, obj: Source) -> str:
        if obj.items_per_day is None:
            return "— (the feed dates no entry)"
        return f"{obj.items_per_day:,.1f}"

    @admin.display(description="articles")
    def articles_link(self, obj: Source) -> str:
        count = obj.articles.count()
        return format_html(
            '<a href="{}">All {} article{} of this source</a>',
            _articles_url(obj),
            intcomma(count),
            pluralize(count),
        )

    @admin.display(description="latest entries")
    def latest_entries(self, obj: Source) -> str:
        latest = obj.articles.order_by("-first_seen_at", "-pk")[:LATEST_ENTRIES]
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {}</li>',
            (
                (
                    reverse("admin:stories_article_change", args=[article.pk]),
                    article.title or "(untitled)",
                    date_format(
                        localtime(article.published_at or article.first_seen_at),
                        "DATETIME_FORMAT",
                    ),
                )
                for article in latest
            ),
        )
        if not items:
            return "None yet."
        return format_html('<ol class="latest-entries">{}</ol>', items)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "health/",
                self.admin_site.admin_view(self.health_view),
                name="sources_source_health",
            ),
            path(
                "import-opml/",
                self.admin_site.admin_view(self.import_opml_view),
                name="sources_source_import_opml",
            ),
            path(
                "export-opml/",
                self.admin_site.admin_view(self.export_all_opml_view),
                name="sources_source_export_opml",
            ),
        ]
        return own + super().get_urls()

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Add a source through the same action as `newsdesk add-source`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SubscribeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            subscription = form.subscribe()
            if subscription is not None:
                self.log_addition(request, subscription.source, [{"added": {}}])
                self.message_user(request, subscription.describe(), messages.SUCCESS)
                return redirect("admin:sources_source_change", subscription.source.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add source",
            "form": form,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/sources/source/subscribe.html", context)

    @admin.action(description="Fetch selected sources now")
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        """Refresh the sources and say, for each, what happened."""
        for outcome in actions.fetch_now(list(queryset), actor=request.user):  # type: ignore[arg-type]
            self.message_user(request, outcome.describe(), MESSAGE_LEVELS[outcome.level])

    @admin.action(description="Resume fetching selected sources (clear a stop)")
    def resume_fetching(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        with transaction.atomic():
            count = sum(actions.resume_fetching(s, actor=request.user) for s in queryset)  # type: ignore[arg-type]
        self.message_user(request, f"{count} source(s) will be fetched again.", messages.SUCCESS)

    def apply_state(self, request: HttpRequest, obj: Source, field: str, value: Any) -> None:
        actions.set_source_active(obj, bool(value), actor=request.user)  # type: ignore[arg-type]

    @admin.action(description="Activate selected sources")
    def activate(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        with transaction.atomic():
            count = sum(actions.activate_source(s, actor=request.user) for s in queryset)  # type: ignore[arg-type]
        self.message_user(request, f"Activated {count} source(s).", messages.SUCCESS)

    @admin.action(description="Deactivate selected sources (their articles leave the site)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        with transaction.atomic():
            count = sum(actions.deactivate_source(s, actor=request.user) for s in queryset)  # type: ignore[arg-type]
        self.message_user(request, f"Deactivated {count} source(s).", messages.SUCCESS)

    @admin.action(description="Export selected sources as OPML")
    def export_opml(self, request: HttpRequest, queryset: QuerySet[Source]) -> HttpResponse:
        return _opml_download(queryset)

    def export_all_opml_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _opml_download(Source.objects.all())

    def health_view(self, request: HttpRequest) -> HttpResponse:
        """The source health page: every source's state, sortable, failing ones apart; fetch now."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._fetch_from_health(request)
        sort = health.parse_sort(request.GET.get("o", ""))
        failing_only = request.GET.get("failing") == "1"
        page = Paginator(health.health_rows(sort, failing_only=failing_only), HEALTH_PAGE_SIZE)
        rows = page.get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Sources health",
            "is_nav_sidebar_enabled": False,  # a wide table: no model list beside it
            "opts": self.model._meta,
            "rows": [(source, health.health_of(source)) for source in rows],
            "page_obj": rows,
            "columns": {link["key"]: link for link in _sort_links(sort, failing_only)},
            "failing_only": failing_only,
            "sort": sort,
            "sort_choices": health.sort_choices(),
            "failing_count": health.failing_count(),
            "total": Source.objects.count(),
            "query": request.GET.urlencode(),
            "can_fetch": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/sources/source/health.html", context)

    def _fetch_from_health(self, request: HttpRequest) -> HttpResponse:
        """Fetch the source named by the button now; show its result on the page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        source = Source.objects.filter(pk=str(request.POST.get("fetch", ""))).first()
        if source is None:
            self.message_user(request, "No such source.", messages.ERROR)
        else:
            for outcome in actions.fetch_now([source], actor=request.user):  # type: ignore[arg-type]
                self.message_user(request, outcome.describe(), MESSAGE_LEVELS[outcome.level])
        back = reverse("admin:sources_source_health")
        query = str(request.POST.get("query", ""))
        return HttpResponseRedirect(f"{back}?{query}" if query else back, status=303)

    def import_opml_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an OPML file; show one report line per feed in it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OpmlImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            report = form.run()
        context = {
            **self.admin_site.each_context(request),
            "title": "Import sources from OPML",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sources/source/import_opml.html", context)


def _articles_url(source: Source) -> str:
    """The admin's article list filtered to one source."""
    return f"{reverse('admin:stories_article_changelist')}?source__id__exact={source.pk}"


def _sort_links(sort: str, failing_only: bool) -> list[dict[str, str]]:
    """Each column's heading with the link that sorts by it (again: the other way)."""
    links = []
    for column in health.COLUMNS:
        current = sort.lstrip("-") == column.key
        descending = sort.startswith("-")
        wanted = column.key if current and descending else f"-{column.key}"
        if not current and column.key == "name":
            wanted = "name"
        query = {"o": wanted, **({"failing": "1"} if failing_only else {})}
        links.append(
            {
                "key": column.key,
                "label": column.label,
                "href": f"?{urlencode(query)}",
                "sorted": ("descending" if descending else "ascending") if current else "",
            }
        )
    return links


def _opml_download(sources: QuerySet[Source]) -> HttpResponse:
    response = HttpResponse(export_opml(sources), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsdesk-sources.opml"'
    return response
