"""One row of LSH band buckets an article, in place of one row a band (42 an article)."""

import django.db.models.deletion
import numpy as np
from django.db import migrations, models


def forward(apps, schema_editor):
    # Band rows of one article become one row with its buckets in one blob (stories.bands).
    ReprintBand = apps.get_model("stories", "ReprintBand")
    ReprintBands = apps.get_model("stories", "ReprintBands")
    rows = ReprintBand.objects.order_by("article_id").values_list("article_id", "bucket", "seen_at")
    batch = []
    current = None
    buckets: list[int] = []
    seen = None
    for article_id, bucket, seen_at in rows.iterator(chunk_size=10_000):
        if article_id != current:
            if current is not None:
                batch.append(_row(ReprintBands, current, buckets, seen))
            current, buckets, seen = article_id, [], seen_at
        buckets.append(bucket)
        seen = min(seen, seen_at)
        if len(batch) >= 2000:
            ReprintBands.objects.bulk_create(batch)
            batch = []
    if current is not None:
        batch.append(_row(ReprintBands, current, buckets, seen))
    ReprintBands.objects.bulk_create(batch)


def _row(model, article_id, buckets, seen):
    return model(article_id=article_id, buckets=np.asarray(buckets, "<i8").tobytes(), seen_at=seen)


def backward(apps, schema_editor):
    ReprintBand = apps.get_model("stories", "ReprintBand")
    ReprintBands = apps.get_model("stories", "ReprintBands")
    for article_id, raw, seen_at in ReprintBands.objects.values_list(
        "article_id", "buckets", "seen_at"
    ).iterator(chunk_size=2000):
        ReprintBand.objects.bulk_create(
            ReprintBand(bucket=int(bucket), article_id=article_id, seen_at=seen_at)
            for bucket in np.frombuffer(raw, "<i8")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_source_published_count"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReprintBands",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="stories.article",
                    ),
                ),
                (
                    "buckets",
                    models.BinaryField(
                        help_text="The buckets, little-endian signed 64-bit each."
                    ),
                ),
                ("seen_at", models.DateTimeField(db_index=True)),
            ],
            options={"verbose_name_plural": "reprint bands"},
        ),
        migrations.RunPython(forward, backward, elidable=True),
        migrations.DeleteModel(name="ReprintBand"),
    ]
