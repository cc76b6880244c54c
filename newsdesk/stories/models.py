"""Articles gathered from sources, and the stories they make up.

The Understand stage (``newsdesk.stories.stage``) fills in what ingest cannot
know about one article alone: which earlier article it reprints and which
story (the same event across outlets) it belongs to.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from newsdesk.core.media import Picture, picture_for
from newsdesk.core.paths import site_path
from newsdesk.sources.models import Source


class ArticleStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


class Story(models.Model):
    """The same event reported by one or more outlets; filled in by the Understand stage."""

    headline = models.CharField(max_length=1000, blank=True)
    headline_edited = models.BooleanField(
        default=False, help_text="An editor wrote the headline; the stage leaves it alone."
    )
    first_article = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_reported_at = models.DateTimeField(null=True, blank=True)
    latest_reported_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the newest of its articles was first seen."
    )
    article_count = models.PositiveIntegerField(default=0)
    source_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["-source_count", "-latest_reported_at"], name="story_size")]

    def __str__(self) -> str:
        return self.headline or f"Story {self.pk}"

    def get_absolute_url(self) -> str:
        return site_path("site:story", pk=self.pk)


def unpublished_statuses() -> list[str]:
    """Return every status but published (for lookups that must not lead with the status)."""
    return [status for status in ArticleStatus.values if status != ArticleStatus.PUBLISHED]


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED, source__active=True)

    def published_by_key(self) -> ArticleQuerySet:
        """Return ``published()`` for queries led by another index (ids, a story, a hash)."""
        return self.with_published_status().filter(source__active=True)

    def with_published_status(self) -> ArticleQuerySet:
        """Return the published articles (of any source), for queries led by another index.

        Said as "no other status" (the column is never null): SQLite, without ANALYZE
        statistics, answers "status = published" from the status index, walking every
        published article even when the query names a few keys it could look up.
        """
        return self.exclude(status__in=unpublished_statuses())

    def for_listing(self) -> ArticleQuerySet:
        return self.published().select_related(
            "source", "source__category", "source__editor", "image"
        )


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
    published_day_only = models.BooleanField(
        default=False,
        help_text="The source gave a day without a time of day; published_at is its midnight UTC.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.PUBLISHED
    )
    featured = models.BooleanField(default=False)
    entry_fingerprint = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Hash of the feed entry as sent."
    )
    canonical_url = models.URLField(
        max_length=2000,
        blank=True,
        db_index=True,
        help_text="The page's rel=canonical or og:url (else the link), trackers stripped.",
    )
    body_hash = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Hash of the normalised body text."
    )
    # Indexed first in article_story_rank, which also serves lookups by story.
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        db_index=False,
    )
    reprint_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reprints"
    )
    understood_at = models.DateTimeField(
        null=True, blank=True, help_text="When the Understand stage placed it; empty means queued."
    )
    # The lead picture, stored locally (ingest/image_pipeline.py); image_url stays
    # the source's address, kept for provenance and never shown to readers.
    image = models.ForeignKey(
        "Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_alt = models.CharField(max_length=500, blank=True)
    images_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When its images were last fetched; empty: pending."
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="article_unique_source_guid"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # Listings walk this newest first; it carries what picking one card per
            # story and the published filter need, so skipping to page 500 reads it alone.
            models.Index(
                fields=["-published_at", "-id", "story", "reprint_of", "status", "source"],
                name="article_listing",
            ),
            # "Does another report of this story rank before this one?" (one_per_story)
            # is answered from this index alone.
            models.Index(
                fields=["story", "reprint_of", "-published_at", "-id", "status", "source"],
                name="article_story_rank",
            ),
            # The home page asks for the newest featured article: few rows, a small index.
            models.Index(
                fields=["-published_at", "-id"],
                condition=models.Q(featured=True),
                name="article_featured",
            ),
            # The Understand stage's queue: only the few articles not yet placed.
            models.Index(
                fields=["id"],
                condition=models.Q(understood_at__isnull=True),
                name="article_to_understand",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        # A listing links each card two or three times; look the path up once per article.
        key = (self.pk, self.slug)
        cached: tuple[tuple[Any, str], str] | None = self.__dict__.get("_url")
        if cached is None or cached[0] != key:
            url = site_path("site:article", pk=self.pk, slug=self.slug or "article")
            cached = self.__dict__["_url"] = (key, url)
        return cached[1]


class CardKind(models.IntegerChoices):
    """Which listing a card is on: Latest News, a category's page or an editor's."""

    LATEST = 0, "Latest News"
    CATEGORY = 1, "Category"
    EDITOR = 2, "Editor"


class ListingCard(models.Model):
    """The article that stands for its story (or for itself, unplaced) on one listing.

    Written only by database triggers (stories/cards.py); a page of a listing
    walks ``listing_card_order`` and reads the articles it names.
    """

    kind = models.PositiveSmallIntegerField(choices=CardKind.choices)
    scope_id = models.BigIntegerField(help_text="The category or editor; 0 for Latest News.")
    published_at = models.DateTimeField()
    article_id = models.BigIntegerField()
    source_id = models.BigIntegerField()
    story_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            # A page reads this index alone, newest first, source ids for spreading.
            models.Index(
                fields=["kind", "scope_id", "-published_at", "-article_id", "source_id"],
                name="listing_card_order",
            ),
            models.Index(fields=["story_id"], name="listing_card_story"),
            models.Index(fields=["article_id"], name="listing_card_article"),
        ]

    def __str__(self) -> str:
        return f"card {self.article_id} on {self.get_kind_display()} {self.scope_id}"


class Image(models.Model):
    """A picture fetched at ingest, stored once per content in a few widths (core/media.py)."""

    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the fetched bytes.")
    width = models.PositiveIntegerField(help_text="Pixels, upright.")
    height = models.PositiveIntegerField()
    widths = models.JSONField(default=list, help_text="Stored widths, smallest first.")
    extension = models.CharField(max_length=8)
    source_format = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.digest[:12]} ({self.width}x{self.height})"

    def picture(self, slot: str) -> Picture:
        """Describe the stored widths for an <img> in a layout slot (core.media.SIZES)."""
        return picture_for(
            self.digest, self.width, self.height, list(self.widths), self.extension, slot
        )


class ImageRole(models.TextChoices):
    LEAD = "lead", "Lead"
    BODY = "body", "In the body"


class ArticleImage(models.Model):
    """Which stored picture an article shows, where, from which address, with which alt."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="uses")
    role = models.CharField(max_length=8, choices=ImageRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    source_url = models.URLField(max_length=2000, db_index=True)
    alt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["article", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "role", "position"], name="article_image_unique_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.position} of article {self.article_id}"


class ReprintBands(models.Model):
    """The LSH band buckets of one article's MinHash signature, for every stage process.

    Articles whose bodies are near-duplicates share at least one band bucket with
    high probability. The stage searches them in memory (``stories.bands``); these
    rows rebuild that index after a restart. Rows older than the reprint window
    are pruned.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    buckets = models.BinaryField(help_text="The buckets, little-endian signed 64-bit each.")
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = "reprint bands"

    def __str__(self) -> str:
        return f"bands of {self.article_id}"


class StageLease(models.Model):
    """Who may write a single-writer stage now, and how many batches it has written.

    ``generation`` grows with every batch and every editor's change, so a process
    holding in-memory state knows when another wrote in between and reloads.
    """

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"
