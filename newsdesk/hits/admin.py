"""Read-only admin views of the hit tracker's tables (the dashboard is the main view)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from newsdesk.hits.models import FilteredDaily, PageView, SiteDaily


class ReadOnlyAdmin(admin.ModelAdmin):
    """Counts are written by the recorder only; editing them by hand would falsify them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PageView)
class PageViewAdmin(ReadOnlyAdmin):
    list_display = ["ts", "kind", "path", "referrer_host", "device", "browser", "country"]
    list_filter = ["kind", "device"]
    date_hierarchy = "ts"
    show_full_result_count = False  # COUNT(*) over millions of rows is slow


@admin.register(SiteDaily)
class SiteDailyAdmin(ReadOnlyAdmin):
    list_display = ["day", "views", "visitors"]
    date_hierarchy = "day"


@admin.register(FilteredDaily)
class FilteredDailyAdmin(ReadOnlyAdmin):
    list_display = ["day", "reason", "requests"]
    list_filter = ["reason"]
