from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_staff_health_measures"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="published_count",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Published articles from this source; kept by database triggers "
                "(stories/source_counts.py) so the navigation never counts every article.",
            ),
        ),
    ]
