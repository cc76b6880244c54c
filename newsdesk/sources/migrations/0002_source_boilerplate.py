import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceBoilerplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("host", models.CharField(max_length=255)),
                ("state", models.JSONField(blank=True, default=dict)),
                ("learned", models.JSONField(blank=True, default=list)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="boilerplate",
                        to="sources.source",
                    ),
                ),
            ],
            options={"verbose_name_plural": "source boilerplate"},
        ),
        migrations.AddConstraint(
            model_name="sourceboilerplate",
            constraint=models.UniqueConstraint(fields=("source", "host"), name="unique_source_boilerplate_host"),
        ),
    ]
