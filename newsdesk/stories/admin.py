"""Admin for articles: staff hide, publish and feature them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from newsdesk.stories.models import Article, ArticleStatus

# Feeds and pages are nearly all https; say so now rather than in Django 6.
URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["title", "source", "published_at", "status", "featured", "language"]
    list_editable = ["status", "featured"]
    list_filter = ["status", "featured", "source__category", "language", "source"]
    list_select_related = ["source"]
    search_fields = ["title", "summary", "url", "guid", "author"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source"]
    actions = ["hide", "publish", "feature", "unfeature"]
    readonly_fields = ["guid", "entry_fingerprint", "first_seen_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "source", "url", "status", "featured"]}),
        ("Content", {"fields": ["summary", "body_html", "body_text", "author", "image_url"]}),
        (
            "Dates and identity",
            {
                "fields": [
                    "published_at",
                    "updated_at",
                    "first_seen_at",
                    "language",
                    "guid",
                    "entry_fingerprint",
                ]
            },
        ),
    ]

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[Article], changes: dict[str, Any], what: str
    ) -> None:
        """Change every selected article and log each change in the admin history."""
        count = 0
        for article in queryset:
            for field, value in changes.items():
                setattr(article, field, value)
            article.save(update_fields=list(changes))
            self.log_change(request, article, [{"changed": {"fields": list(changes)}}])
            count += 1
        self.message_user(request, f"{what} {count} article(s).", messages.SUCCESS)

    @admin.action(description="Hide selected articles")
    def hide(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, {"status": ArticleStatus.HIDDEN}, "Hid")

    @admin.action(description="Publish selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, {"status": ArticleStatus.PUBLISHED}, "Published")

    @admin.action(description="Feature selected articles")
    def feature(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, {"featured": True}, "Featured")

    @admin.action(description="Stop featuring selected articles")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, {"featured": False}, "Unfeatured")
