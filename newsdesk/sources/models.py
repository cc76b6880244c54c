"""Where news comes from: sources, the categories they file into, and editors."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from newsdesk.core.paths import site_path


class Category(models.Model):
    """A section of the site (World, Technology...) shown in the navigation."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveIntegerField(default=0, help_text="Lower comes first in navigation.")

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return site_path("site:category", slug=self.slug)


class Editor(models.Model):
    """A person who looks after sources and whose box appears under their articles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editor_profile",
    )
    display_name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    photo = models.URLField(
        blank=True, help_text="URL of a square portrait; a monogram is shown when empty."
    )
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return site_path("site:editor", slug=self.slug)

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.display_name.split()[:2]).upper()


class FetchStatus(models.TextChoices):
    NEVER = "never", "Never fetched"
    OK = "ok", "OK"
    NOT_MODIFIED = "not_modified", "Not modified"
    ERROR = "error", "Error"


class Source(models.Model):
    """A feed (or a site whose feed was discovered) fetched on a schedule."""

    name = models.CharField(max_length=200)
    feed_url = models.URLField(max_length=2000, unique=True)
    previous_feed_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text="The feed URL before the feed moved for good (HTTP 301/308).",
    )
    site_url = models.URLField(max_length=2000, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources"
    )
    language = models.CharField(
        max_length=16, blank=True, help_text="ISO 639-1 code; detected when empty."
    )
    editor = models.ForeignKey(
        Editor, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources"
    )
    active = models.BooleanField(default=True)
    fetch_interval = models.DurationField(default=timedelta(minutes=30))
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(
        max_length=20, choices=FetchStatus.choices, default=FetchStatus.NEVER
    )
    last_http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(
        null=True, blank=True, help_text="When a fetch last succeeded (a 304 counts)."
    )
    response_ms = models.FloatField(
        null=True,
        blank=True,
        help_text="Average time the feed took to answer, in ms (recent fetches weigh more).",
    )
    published_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Published articles from this source; kept by database triggers "
        "(stories/source_counts.py) so the navigation never counts every article.",
    )
    items_per_day = models.FloatField(
        null=True,
        blank=True,
        help_text="Entries a day, from the dates in the feed at its last full fetch; "
        "empty when the feed dates none.",
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First of the permanent failures in a row, if failing."
    )
    # The crawler stops fetching a source that is gone (HTTP 410) or has failed
    # permanently for days; unlike an editor's deactivation, its articles stay.
    fetch_stopped_at = models.DateTimeField(
        null=True, blank=True, help_text="When the crawler stopped fetching this source."
    )
    fetch_stopped_reason = models.TextField(
        blank=True, help_text="Why the crawler stopped fetching this source."
    )
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourceBoilerplate(models.Model):
    """Blocks one source's pages repeat, learned per host (see ingest/template.py).

    ``state`` holds how many pages carried each block print and which pages were
    counted; ``learned`` the prints seen on enough pages to be boilerplate, which
    extraction drops from new pages and the pipeline from stored articles.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="boilerplate")
    host = models.CharField(max_length=255)
    state = models.JSONField(default=dict, blank=True)
    learned = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "host"], name="unique_source_boilerplate_host"
            )
        ]
        verbose_name_plural = "source boilerplate"

    def __str__(self) -> str:
        return f"{self.source} @ {self.host}: {len(self.learned)} blocks"
