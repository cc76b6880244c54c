"""Record day-only publication dates; make stored titles and summaries readable.

Backfill, for articles stored before this:
- a publication time of exactly midnight UTC that is not the first-seen
  fallback is taken as a day-only date (what feeds and pages stating only a
  day were stored as);
- all-caps titles (and the story headlines copied from them, unless an editor
  wrote one) get ``readable_case``; summaries lose feed boilerplate at their end.
"""

from datetime import UTC

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

from newsdesk.core.text import drop_feed_tail, readable_case

BATCH = 500


def mark_day_only(apps, schema_editor):
    Article = apps.get_model("stories", "Article")
    # The hour/minute/second lookups read the current zone: ask in UTC.
    with timezone.override(UTC):
        midnight = Article.objects.filter(
            published_at__hour=0, published_at__minute=0, published_at__second=0
        ).exclude(published_at=F("first_seen_at"))
        midnight.update(published_day_only=True)


def tidy_text(apps, schema_editor):
    Article = apps.get_model("stories", "Article")
    Story = apps.get_model("stories", "Story")
    changed = []
    for article in Article.objects.only("pk", "title", "summary").iterator(chunk_size=BATCH):
        title, summary = readable_case(article.title), drop_feed_tail(article.summary)
        if (title, summary) != (article.title, article.summary):
            article.title, article.summary = title, summary
            changed.append(article)
        if len(changed) >= BATCH:
            Article.objects.bulk_update(changed, ["title", "summary"])
            changed = []
    Article.objects.bulk_update(changed, ["title", "summary"])
    stories = []
    for story in Story.objects.filter(headline_edited=False).only("pk", "headline").iterator():
        headline = readable_case(story.headline)
        if headline != story.headline:
            story.headline = headline
            stories.append(story)
    Story.objects.bulk_update(stories, ["headline"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_stories_reprints_understand"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="published_day_only",
            field=models.BooleanField(
                default=False,
                help_text="The source gave a day without a time of day; published_at is its "
                "midnight UTC.",
            ),
        ),
        migrations.RunPython(mark_day_only, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(tidy_text, migrations.RunPython.noop, elidable=True),
    ]
