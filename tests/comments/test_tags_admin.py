"""Count helpers stay at one query per list; the Django admin lists and moderates comments."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client

from newsdesk.comments.models import Comment, ModerationLog, Status
from newsdesk.comments.templatetags.comments_tags import with_comment_counts
from newsdesk.stories.models import Article
from tests.site.factories import make_article

pytestmark = pytest.mark.django_db


def add(article: Article, status: str = Status.APPROVED, **fields: Any) -> Comment:
    values: dict[str, Any] = {
        "article": article,
        "name": "Stored Reader",
        "body": "Stored comment",
        "body_html": "<p>Stored comment</p>",
        "body_hash": uuid4().hex,
        "status": status,
        "visitor_hash": "v" * 32,
    }
    values.update(fields)
    return Comment.objects.create(**values)


def test_with_comment_counts_annotates_approved_only(article: Article) -> None:
    """The annotate helper counts approved comments per article in the listing query."""
    other = make_article(source=article.source)
    add(article)
    add(article)
    add(article, Status.PENDING)
    add(other, Status.SPAM)
    listing = with_comment_counts(Article.objects.filter(pk__in=[article.pk, other.pk]))
    counts = {a.pk: getattr(a, "comment_count", None) for a in listing}
    assert counts == {article.pk: 2, other.pk: 0}


def test_load_comment_counts_is_one_query(article: Article, django_assert_num_queries: Any) -> None:
    """Counts for a whole list, and for grouped lists, cost one query; the item reads no more."""
    others = [make_article(source=article.source) for _ in range(4)]
    add(article)
    add(others[0])
    add(others[0])

    class Block:
        def __init__(self, articles: list[Article]) -> None:
            self.articles = articles

    template = Template(
        "{% load comments_tags %}{% load_comment_counts first blocks %}"
        "{% for a in first %}{% comment_count a %},{% endfor %}"
        "{% for b in blocks %}{% for a in b.articles %}{% comment_count a %},{% endfor %}"
        "{% endfor %}"
    )
    context = Context({"first": [article, others[0]], "blocks": [Block(others[1:])]})
    with django_assert_num_queries(1):
        rendered = template.render(context)
    assert rendered == "1,2,0,0,0,"


def test_comment_count_alone_queries_once(article: Article, django_assert_num_queries: Any) -> None:
    """Without preloading, the tag still answers for a single article."""
    add(article)
    with django_assert_num_queries(1):
        out = Template("{% load comments_tags %}{% comment_count a %}").render(
            Context({"a": article})
        )
    assert out == "1"


def test_admin_lists_and_approves(client: Client, article: Article) -> None:
    """The admin lists comments with their held reason and its action approves with a log row."""
    admin = User.objects.create_superuser("boss", "boss@example.org", "boss-pass-123")
    comment = add(article, Status.PENDING, held_reason="links: 3 links")
    client.force_login(admin)
    listing = client.get("/admin/comments/comment/").content.decode()
    assert "links: 3 links" in listing
    response = client.post(
        "/admin/comments/comment/",
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    row = ModerationLog.objects.get(comment=comment)
    assert (row.actor, row.action) == (admin, "approve")
    assert client.get(f"/admin/comments/comment/{comment.pk}/change/").status_code == 200
    assert client.get("/admin/comments/moderationlog/").status_code == 200
