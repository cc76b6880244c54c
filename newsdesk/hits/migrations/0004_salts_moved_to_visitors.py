# The daily salts moved to the ground-floor app newsdesk.visitors, which hits and
# comments both use. The rows (at most two days) are copied, so today's visitor
# ids do not change at the upgrade; then the old table is dropped.

from django.db import migrations


def copy_salts(apps, schema_editor):
    old = apps.get_model("hits", "DailySalt")
    new = apps.get_model("visitors", "DailySalt")
    for row in old.objects.all():
        new.objects.get_or_create(day=row.day, defaults={"salt": row.salt})


class Migration(migrations.Migration):

    dependencies = [
        ("hits", "0003_articledaily"),
        ("visitors", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_salts, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(
            name="DailySalt",
        ),
    ]
