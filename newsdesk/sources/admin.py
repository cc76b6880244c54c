"""Admin for sources, categories and editors."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from newsdesk.core.staff_log import NamedStateAdmin
from newsdesk.sources import actions
from newsdesk.sources.forms import OpmlImportForm, SubscribeForm
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.sources.opml import export_opml

if TYPE_CHECKING:
    from newsdesk.ingest.pipeline import RefreshResult

logger = logging.getLogger(__name__)

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
    list_display = [
        "name",
        "category",
        "editor",
        "active",
        "fetching",
        "last_status",
        "last_fetched_at",
        "consecutive_failures",
        "next_fetch_at",
    ]
    list_filter = ["last_status", "category", "active", FetchingFilter, "editor"]
    list_select_related = ["category", "editor"]
    search_fields = ["name", "feed_url", "site_url"]
    actions = ["fetch_now", "resume_fetching", "activate", "deactivate", "export_opml"]
    change_list_template = "admin/sources/source/change_list.html"
    readonly_fields = [
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
                    "previous_feed_url",
                    "etag",
                    "last_modified",
                    "created_at",
                ]
            },
        ),
    ]

    @admin.display(description="fetching", ordering="fetch_stopped_at")
    def fetching(self, obj: Source) -> str:
        return f"stopped: {obj.fetch_stopped_reason}" if obj.fetch_stopped_at else "yes"

    def get_urls(self) -> list[URLPattern]:
        own = [
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
        # Imported here: the crawler brings trafilatura, numpy and lxml, which a web
        # worker that never fetches should not hold in memory (admin modules load at start).
        from newsdesk.ingest.crawler import crawl

        results = {result.source_id: result for result in crawl(list(queryset))}
        for source in queryset:
            result = results[source.pk]
            self.message_user(request, result.describe(), _message_level(result))

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


def _message_level(result: RefreshResult) -> int:
    if not result.ok or result.stopped:
        return messages.ERROR
    if result.page_errors or result.failed_entries:
        return messages.WARNING
    return messages.SUCCESS


def _opml_download(sources: QuerySet[Source]) -> HttpResponse:
    response = HttpResponse(export_opml(sources), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="newsdesk-sources.opml"'
    return response
