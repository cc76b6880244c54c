"""Articles gathered from sources."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from newsdesk.sources.models import Source


class ArticleStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED, source__active=True)

    def for_listing(self) -> ArticleQuerySet:
        return self.published().select_related("source", "source__category", "source__editor")


class Article(models.Model):
    """One entry of a source, with its sanitized full text and honest dates."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    guid = models.CharField(max_length=2000)
    url = models.URLField("canonical URL", max_length=2000)
    slug = models.SlugField(max_length=120, allow_unicode=True)
    title = models.CharField(max_length=1000)
    summary = models.TextField(blank=True, help_text="Plain text teaser.")
    body_html = models.TextField(blank=True, help_text="Sanitized HTML.")
    body_text = models.TextField(blank=True)
    author = models.CharField(max_length=300, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(
        db_index=True, help_text="As the source claims; first-seen when missing or in the future."
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.PUBLISHED
    )
    featured = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="article_unique_source_guid"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("site:article", kwargs={"pk": self.pk, "slug": self.slug or "article"})
