# Squashed from 0001-0007 (Django's squashmigrations); the data backfills of those
# migrations (rows that existed before) are elided: a new database has no rows.

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# The search index's operations and the published-count triggers live in the migrations
# they came with; their module names start with a digit, hence importlib.
search_index = importlib.import_module("newsdesk.stories.migrations.0005_search_index")
published_count = importlib.import_module("newsdesk.stories.migrations.0007_source_published_count")


class Migration(migrations.Migration):
    replaces = [
        ("stories", "0001_initial"),
        ("stories", "0002_article_images"),
        ("stories", "0003_stories_reprints_understand"),
        ("stories", "0004_front_date_precision"),
        ("stories", "0005_search_index"),
        ("stories", "0006_read_path_indexes"),
        ("stories", "0007_source_published_count"),
    ]

    initial = True

    dependencies = [
        ("sources", "0001_initial"),
        ("sources", "0003_source_health"),
        ("sources", "0005_source_published_count"),
    ]

    operations = [
        migrations.CreateModel(
            name="Image",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "digest",
                    models.CharField(
                        help_text="SHA-256 of the fetched bytes.", max_length=64, unique=True
                    ),
                ),
                ("width", models.PositiveIntegerField(help_text="Pixels, upright.")),
                ("height", models.PositiveIntegerField()),
                (
                    "widths",
                    models.JSONField(default=list, help_text="Stored widths, smallest first."),
                ),
                ("extension", models.CharField(max_length=8)),
                ("source_format", models.CharField(max_length=8)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("guid", models.CharField(max_length=2000)),
                ("url", models.URLField(max_length=2000, verbose_name="canonical URL")),
                ("slug", models.SlugField(allow_unicode=True, max_length=120)),
                ("title", models.CharField(max_length=1000)),
                ("summary", models.TextField(blank=True, help_text="Plain text teaser.")),
                ("body_html", models.TextField(blank=True, help_text="Sanitized HTML.")),
                ("body_text", models.TextField(blank=True)),
                ("author", models.CharField(blank=True, max_length=300)),
                ("image_url", models.URLField(blank=True, max_length=2000)),
                (
                    "published_at",
                    models.DateTimeField(
                        db_index=True,
                        help_text="As the source claims; first-seen when missing or in the future.",
                    ),
                ),
                ("updated_at", models.DateTimeField(blank=True, null=True)),
                ("first_seen_at", models.DateTimeField()),
                ("language", models.CharField(blank=True, max_length=16)),
                (
                    "status",
                    models.CharField(
                        choices=[("published", "Published"), ("hidden", "Hidden")],
                        default="published",
                        max_length=16,
                    ),
                ),
                ("featured", models.BooleanField(default=False)),
                (
                    "entry_fingerprint",
                    models.CharField(
                        blank=True,
                        db_index=True,
                        help_text="Hash of the feed entry as sent.",
                        max_length=64,
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="articles",
                        to="sources.source",
                    ),
                ),
                ("image_alt", models.CharField(blank=True, max_length=500)),
                (
                    "images_checked_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When its images were last fetched; empty: pending.",
                        null=True,
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stories.image",
                    ),
                ),
                (
                    "body_hash",
                    models.CharField(
                        blank=True,
                        db_index=True,
                        help_text="Hash of the normalised body text.",
                        max_length=64,
                    ),
                ),
                (
                    "canonical_url",
                    models.URLField(
                        blank=True,
                        db_index=True,
                        help_text="The page's rel=canonical or og:url (else the link), trackers stripped.",
                        max_length=2000,
                    ),
                ),
                (
                    "reprint_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reprints",
                        to="stories.article",
                    ),
                ),
                (
                    "understood_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the Understand stage placed it; empty means queued.",
                        null=True,
                    ),
                ),
            ],
            options={
                "ordering": ["-published_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["status", "-published_at"], name="article_status_published"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "guid"), name="article_unique_source_guid"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ArticleImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("lead", "Lead"), ("body", "In the body")], max_length=8
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("source_url", models.URLField(db_index=True, max_length=2000)),
                ("alt", models.CharField(blank=True, max_length=500)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="images",
                        to="stories.article",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="uses",
                        to="stories.image",
                    ),
                ),
            ],
            options={
                "ordering": ["article", "role", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "role", "position"), name="article_image_unique_slot"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="StageLease",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, unique=True)),
                ("holder", models.CharField(blank=True, max_length=100)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("generation", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="ReprintBand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("bucket", models.BigIntegerField(db_index=True)),
                ("seen_at", models.DateTimeField(db_index=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="stories.article",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Story",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("headline", models.CharField(blank=True, max_length=1000)),
                (
                    "headline_edited",
                    models.BooleanField(
                        default=False,
                        help_text="An editor wrote the headline; the stage leaves it alone.",
                    ),
                ),
                ("first_reported_at", models.DateTimeField(blank=True, null=True)),
                ("latest_reported_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                (
                    "last_seen_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the newest of its articles was first seen.",
                        null=True,
                    ),
                ),
                ("article_count", models.PositiveIntegerField(default=0)),
                ("source_count", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "first_article",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="stories.article",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "stories",
            },
        ),
        migrations.AddField(
            model_name="article",
            name="story",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="stories.story",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("understood_at__isnull", True)),
                fields=["id"],
                name="article_to_understand",
            ),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["-source_count", "-latest_reported_at"], name="story_size"),
        ),
        migrations.AddField(
            model_name="article",
            name="published_day_only",
            field=models.BooleanField(
                default=False,
                help_text="The source gave a day without a time of day; published_at is its midnight UTC.",
            ),
        ),
        search_index.Unaccent(),
        search_index.Trigram(),
        migrations.RunPython(
            code=search_index.postgres_forward,
            reverse_code=search_index.postgres_backward,
        ),
        migrations.RunPython(
            code=search_index.sqlite_forward,
            reverse_code=search_index.sqlite_backward,
        ),
        migrations.AlterField(
            model_name="article",
            name="story",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="stories.story",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["-published_at", "-id", "story", "reprint_of", "status", "source"],
                name="article_listing",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["story", "reprint_of", "-published_at", "-id", "status", "source"],
                name="article_story_rank",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("featured", True)),
                fields=["-published_at", "-id"],
                name="article_featured",
            ),
        ),
        migrations.RunPython(
            code=published_count.forward,
            reverse_code=published_count.backward,
        ),
    ]
