"""Django admin for comments; its actions go through the same named action functions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from newsdesk.comments import actions
from newsdesk.comments.models import Comment, ModerationLog


class ModerationLogInline(admin.TabularInline):
    model = ModerationLog
    extra = 0
    can_delete = False
    fields = ("created_at", "actor_label", "action", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "status", "held_reason", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["name", "email", "body"]
    raw_id_fields = ["article", "parent"]
    readonly_fields = [
        "body_html",
        "body_hash",
        "visitor_hash",
        "author_key",
        "stamp",
        "held_reason",
        "created_at",
        "edited_at",
        "digested_at",
        "depth",
        "status",
    ]
    inlines = [ModerationLogInline]
    actions = ["approve", "spam", "soft_delete"]

    @admin.action(description="Approve selected comments")
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = actions.moderate_many(queryset, "approve", request.user)
        self.message_user(request, f"Approved {count} comments.")

    @admin.action(description="Mark selected comments as spam")
    def spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = actions.moderate_many(queryset, "spam", request.user)
        self.message_user(request, f"Marked {count} comments as spam.")

    @admin.action(description="Delete selected comments (hide, keep the record)")
    def soft_delete(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = actions.moderate_many(queryset, "delete", request.user)
        self.message_user(request, f"Deleted {count} comments.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments come from readers through the guards, never from the admin.
        return False

    def save_model(self, request: HttpRequest, obj: Comment, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "body" in getattr(form, "changed_data", []):
            # Re-render the safe HTML and log the edit under the moderator's name.
            actions.edit_comment(obj, obj.body, request.user)


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "comment", "from_status", "to_status"]
    list_filter = ["action", "to_status"]
    search_fields = ["actor_label", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
