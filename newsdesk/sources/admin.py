"""Admin for sources, categories and editors."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from newsdesk.core.staff_log import NamedStateAdmin
from newsdesk.sources import actions
from newsdesk.sources.models import Category, Editor, Source

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
        "last_status",
        "last_fetched_at",
        "consecutive_failures",
        "next_fetch_at",
    ]
    list_filter = ["last_status", "category", "active", "editor"]
    list_select_related = ["category", "editor"]
    search_fields = ["name", "feed_url", "site_url"]
    actions = ["fetch_now", "activate", "deactivate"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_status",
        "last_http_status",
        "last_error",
        "consecutive_failures",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "feed_url", "site_url", "category", "editor", "language"]}),
        ("Schedule", {"fields": ["active", "fetch_interval", "next_fetch_at"]}),
        (
            "Last fetch",
            {
                "fields": [
                    "last_status",
                    "last_http_status",
                    "last_fetched_at",
                    "consecutive_failures",
                    "last_error",
                    "etag",
                    "last_modified",
                    "created_at",
                ]
            },
        ),
    ]

    @admin.action(description="Fetch selected sources now")
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        try:
            # Imported here: the crawler is its own stage and may not be installed yet.
            from newsdesk.ingest.pipeline import refresh_source
        except ImportError:
            self.message_user(
                request, "The crawler (newsdesk.ingest.pipeline) is not available.", messages.ERROR
            )
            return
        done, failed = 0, 0
        for source in queryset:
            try:
                refresh_source(source)
            except Exception:
                # One broken source must not stop the others; its error is logged.
                logger.exception("fetch now failed", extra={"source": source.pk})
                failed += 1
            else:
                done += 1
        if done:
            self.message_user(request, f"Fetched {done} source(s).", messages.SUCCESS)
        if failed:
            self.message_user(
                request, f"{failed} source(s) failed; see the log and Last fetch.", messages.ERROR
            )

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
