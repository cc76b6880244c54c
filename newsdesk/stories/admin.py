"""Admin for articles and stories: staff hide, publish and feature articles; merge, split,
detach and rename stories (every story change through a named action in ``editing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from newsdesk.core.staff_log import NamedStateAdmin
from newsdesk.stories import actions, editing
from newsdesk.stories.models import Article, Story

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
    actions = ["hide", "publish", "feature", "unfeature", "split_into_story", "detach_from_story"]
    readonly_fields = [
        "guid",
        "entry_fingerprint",
        "first_seen_at",
        "image",
        "images_checked_at",
        "canonical_url",
        "body_hash",
        "story",
        "reprint_of",
        "understood_at",
    ]
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
                    "entry_fingerprint",
                ]
            },
        ),
        (
            "Story and copies",
            {"fields": ["story", "reprint_of", "canonical_url", "body_hash", "understood_at"]},
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

    @admin.action(description="Split selected articles into a new story")
    def split_into_story(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        try:
            story = editing.split_story(queryset, actor=request.user)  # type: ignore[arg-type]
        except editing.EditingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"Split into story #{story.pk}.", messages.SUCCESS)

    @admin.action(description="Detach selected articles from their stories")
    def detach_from_story(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        for article in queryset:
            try:
                editing.detach_article(article, actor=request.user)  # type: ignore[arg-type]
                count += 1
            except editing.EditingError as error:
                self.message_user(request, f"{article}: {error}", messages.WARNING)
        self.message_user(request, f"Detached {count} article(s).", messages.SUCCESS)


class StoryArticleInline(admin.TabularInline):
    model = Article
    fields = ["title", "source", "published_at", "reprint_of", "status"]
    readonly_fields = ["title", "source", "published_at", "reprint_of", "status"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_count", "article_count", "first_reported_at", "latest"]
    search_fields = ["headline"]
    date_hierarchy = "latest_reported_at"
    fields = ["headline", "headline_edited", "first_article", "article_count", "source_count"]
    readonly_fields = ["headline_edited", "first_article", "article_count", "source_count"]
    inlines = [StoryArticleInline]
    actions = ["merge"]

    @admin.display(description="latest report", ordering="latest_reported_at")
    def latest(self, story: Story) -> object:
        return story.latest_reported_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # The Understand stage makes stories; editors merge and split them.

    def save_model(self, request: HttpRequest, obj: Story, form: Any, change: bool) -> None:
        # The headline is the only editable field; it changes through its named action.
        if "headline" in form.changed_data:
            editing.rename_story(obj, obj.headline, actor=request.user)  # type: ignore[arg-type]

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None  # rename_story logged it in its own words.

    @admin.action(description="Merge selected stories into the largest")
    def merge(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        stories = sorted(queryset, key=lambda s: (-s.source_count, -s.article_count, s.pk))
        try:
            target = editing.merge_stories(stories[0], stories[1:], actor=request.user)  # type: ignore[arg-type]
        except editing.EditingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"Merged into story #{target.pk}.", messages.SUCCESS)
