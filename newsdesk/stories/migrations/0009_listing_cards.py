"""One card per story for each listing, kept by triggers (stories/cards.py), filled once."""

from django.db import migrations, models, transaction

from newsdesk.stories import cards


def forward(apps, schema_editor):
    with transaction.atomic(using=schema_editor.connection.alias):
        cards.TRIGGERS.create(schema_editor.connection)
        cards.rebuild(schema_editor.connection)


def backward(apps, schema_editor):
    cards.TRIGGERS.drop(schema_editor.connection)


def tidy(apps, schema_editor):
    # Outside a transaction: VACUUM marks the fresh rows visible, so a page's walk of
    # the card index reads the index alone (no heap visit per card).
    cards.tidy(schema_editor.connection)


class Migration(migrations.Migration):
    # The fill is atomic on its own; tidying after it cannot run in a transaction.
    atomic = False

    dependencies = [("stories", "0008_reprint_bands_per_article")]

    operations = [
        migrations.CreateModel(
            name="ListingCard",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.PositiveSmallIntegerField(choices=[(0, "Latest News"), (1, "Category"), (2, "Editor")])),
                ("scope_id", models.BigIntegerField(help_text="The category or editor; 0 for Latest News.")),
                ("published_at", models.DateTimeField()),
                ("article_id", models.BigIntegerField()),
                ("source_id", models.BigIntegerField()),
                ("story_id", models.BigIntegerField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kind", "scope_id", "-published_at", "-article_id", "source_id"], name="listing_card_order"),
                    models.Index(fields=["story_id"], name="listing_card_story"),
                    models.Index(fields=["article_id"], name="listing_card_article"),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
        migrations.RunPython(tidy, migrations.RunPython.noop),
    ]
