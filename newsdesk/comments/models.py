"""Readers' comments on articles, and the log of every moderation action.

A comment never stores its author's IP address: ``visitor_hash`` is the daily
reader id (``newsdesk.visitors.ids``), a keyed hash under the day's random salt,
so it links one reader's comments within a day and, once the salt is deleted a
day later, nothing at all, not even with a backup and the secret key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from newsdesk.stories.models import Article


class Status(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    DELETED = "deleted", "Deleted"


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Status.APPROVED)

    def visible_on_site(self) -> CommentQuerySet:
        """Approved comments on articles the public site shows."""
        return self.approved().filter(article__in=Article.objects.published().values("pk"))


class Comment(models.Model):
    """One reader's comment; ``body`` is the Markdown source, ``body_html`` its safe rendering."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=0, help_text="0 for a top-level comment.")
    name = models.CharField(max_length=80)
    email = models.EmailField(blank=True, help_text="Never shown; used only for notifications.")
    notify = models.BooleanField(default=False, help_text="Email the author about replies.")
    body = models.TextField(help_text="Markdown source as written.")
    body_html = models.TextField(help_text="Rendered and sanitized.")
    body_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_reason = models.CharField(max_length=500, blank=True)
    visitor_hash = models.CharField(max_length=64, db_index=True)
    author_key = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Hash of the commenter cookie that sent it; proves a returning commenter.",
    )
    stamp = models.CharField(
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text="Nonce of the form stamp it was sent with: each stamp posts one comment.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(
        null=True, blank=True, help_text="When an editor's digest listed it as held."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["status", "-created_at"], name="comment_status_recent"),
        ]
        constraints = [
            # The duplicate guard's promise, kept by the database even when posts race.
            models.UniqueConstraint(
                fields=["article", "body_hash"],
                condition=~models.Q(status="deleted"),
                name="comment_unique_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.article_id}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"


class ModerationAction(models.TextChoices):
    POST = "post", "Posted"
    APPROVE = "approve", "Approved"
    SPAM = "spam", "Marked as spam"
    DELETE = "delete", "Deleted"
    EDIT = "edit", "Edited"


class ModerationLog(models.Model):
    """Who did what to which comment, and why; one row per action, never edited."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="Empty when the comment's author or the guards acted.",
    )
    actor_label = models.CharField(max_length=150, help_text="Username, 'author' or 'guard'.")
    action = models.CharField(max_length=16, choices=ModerationAction.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} comment {self.comment_id}"


class EditorDigest(models.Model):
    """When an editor was last sent the digest of held comments (one email per period)."""

    recipient = models.EmailField(unique=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"digest to {self.recipient}"
