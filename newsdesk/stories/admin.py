"""Admin for articles: staff hide, publish and feature them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from newsdesk.core.staff_log import NamedStateAdmin
from newsdesk.stories import actions
from newsdesk.stories.models import Article

# Feeds and pages are nearly all https; say so now rather than in Django 6.
URL_FIELDS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(NamedStateAdmin):
    """Articles; status and featured change only through the named actions (stories.actions)."""

    state_fields = actions.STATE_FIELDS
    formfield_overrides = URL_FIELDS
    list_display = ["title", "source", "published_at", "status", "featured", "language"]
    list_editable = ["status", "featured"]
    list_filter = ["status", "featured", "source__category", "language", "source"]
    list_select_related = ["source"]
    search_fields = ["title", "summary", "url", "guid", "author"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["source"]
    actions = ["hide", "publish", "feature", "unfeature"]
    readonly_fields = ["guid", "content_hash", "first_seen_at", "image", "images_checked_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "source", "url", "status", "featured"]}),
        ("Content", {"fields": ["summary", "body_html", "body_text", "author"]}),
        # Images are fetched and stored at ingest (`newsdesk images refresh` fetches again).
        ("Picture", {"fields": ["image_url", "image", "image_alt", "images_checked_at"]}),
        (
            "Dates and identity",
            {
                "fields": [
                    "published_at",
                    "updated_at",
                    "first_seen_at",
                    "language",
                    "guid",
                    "content_hash",
                ]
            },
        ),
    ]

    def apply_state(self, request: HttpRequest, obj: Article, field: str, value: Any) -> None:
        actions.set_article_state(obj, field, value, actor=request.user)  # type: ignore[arg-type]

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        action: Callable[..., bool],
        what: str,
    ) -> None:
        """Run a named action on every selected article; report how many it changed."""
        with transaction.atomic():
            count = sum(action(article, actor=request.user) for article in queryset)
        self.message_user(request, f"{what} {count} article(s).", messages.SUCCESS)

    @admin.action(description="Hide selected articles")
    def hide(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, actions.hide_article, "Hid")

    @admin.action(description="Publish selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, actions.publish_article, "Published")

    @admin.action(description="Feature selected articles")
    def feature(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, actions.feature_article, "Featured")

    @admin.action(description="Stop featuring selected articles")
    def unfeature(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, actions.unfeature_article, "Unfeatured")
