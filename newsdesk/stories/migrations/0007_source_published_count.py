from django.db import migrations

from newsdesk.stories import source_counts


def forward(apps, schema_editor):
    source_counts.create_triggers(schema_editor.connection)
    source_counts.recount(schema_editor.connection)


def backward(apps, schema_editor):
    source_counts.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_source_published_count"),
        ("stories", "0006_read_path_indexes"),
    ]

    operations = [migrations.RunPython(forward, backward)]
