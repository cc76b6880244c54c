# Commenter identity (author_key), single-use form stamps, race-free duplicates, digests.

from django.db import migrations, models
from django.utils import timezone


def settle_existing(apps, schema_editor):
    """Ready old rows for the new rules.

    Comments held before the digest existed were emailed one by one already:
    mark them as listed. Text posted twice on one article (possible when posts
    raced before the constraint) keeps its first copy; later copies are
    deleted (kept as rows, hidden, with a log row) so the constraint can hold.
    """
    Comment = apps.get_model("comments", "Comment")
    ModerationLog = apps.get_model("comments", "ModerationLog")
    now = timezone.now()
    Comment.objects.filter(status="pending").update(digested_at=now)
    seen = set()
    live = Comment.objects.exclude(status="deleted").order_by("created_at", "id")
    for comment in live.only("id", "article_id", "body_hash", "status"):
        key = (comment.article_id, comment.body_hash)
        if key not in seen:
            seen.add(key)
            continue
        ModerationLog.objects.create(
            comment_id=comment.id,
            actor_label="migration",
            action="delete",
            from_status=comment.status,
            to_status="deleted",
            reason="duplicate of an earlier comment with the same text",
            created_at=now,
        )
        Comment.objects.filter(pk=comment.id).update(status="deleted")


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0001_initial'),
        ('stories', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='EditorDigest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.EmailField(max_length=254, unique=True)),
                ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_count', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='comment',
            name='author_key',
            field=models.CharField(blank=True, db_index=True, help_text='Hash of the commenter cookie that sent it; proves a returning commenter.', max_length=64),
        ),
        migrations.AddField(
            model_name='comment',
            name='digested_at',
            field=models.DateTimeField(blank=True, help_text="When an editor's digest listed it as held.", null=True),
        ),
        migrations.AddField(
            model_name='comment',
            name='stamp',
            field=models.CharField(blank=True, help_text='Nonce of the form stamp it was sent with: each stamp posts one comment.', max_length=32, null=True, unique=True),
        ),
        migrations.RunPython(settle_existing, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='comment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'deleted'), _negated=True), fields=('article', 'body_hash'), name='comment_unique_text'),
        ),
    ]
