"""The comment section is rendered once per page generation for readers without an edit token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from newsdesk.comments.actions import approve_comment
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.tokens import cookie_name, edit_token
from tests.hits import agents
from tests.site.factories import make_article

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": agents.FIREFOX_LINUX}


@pytest.fixture(autouse=True)
def _page_cache_off(settings: Any, tmp_path: Any) -> None:
    settings.NEWSDESK_PAGE_CACHE = False  # every page rendered: the section fragment alone
    settings.NEWSDESK_PAGE_CACHE_SECONDS = 60
    settings.VAR_DIR = tmp_path


def page(client: Client, path: str) -> str:
    response = client.get(path, **BROWSER)
    assert response.status_code == 200
    return response.content.decode()


def test_the_reply_target_has_a_section_of_its_own(client: Client) -> None:
    """?replyto= names the form's parent; the plain page keeps its own form."""
    article = make_article()
    rosa = Comment.objects.create(
        article=article, name="Rosa", body="Hi.", body_html="<p>Hi.</p>", status=Status.APPROVED
    )
    url = article.get_absolute_url()
    for _ in range(2):
        assert "Leave a comment" in page(client, url)
        assert "Reply to Rosa" in page(client, f"{url}?replyto={rosa.pk}")


def test_an_approved_comment_replaces_the_section(client: Client) -> None:
    """Approving a comment shows it at once on the next render."""
    article = make_article()
    held = Comment.objects.create(
        article=article, name="Rosa", body="Late.", body_html="<p>Late.</p>"
    )
    assert "Late." not in page(client, article.get_absolute_url())
    approve_comment(held, None)
    assert "Late." in page(client, article.get_absolute_url())


def test_a_token_holder_section_is_never_shared(client: Client) -> None:
    """The author sees their held comment; a reader rendered after them never does."""
    article = make_article()
    held = Comment.objects.create(
        article=article, name="Rosa", body="Mine.", body_html="<p>Mine.</p>", visitor_hash="v" * 32
    )
    assert "Mine." not in page(client, article.get_absolute_url())
    author = Client()
    author.cookies[cookie_name(held)] = edit_token(held)
    assert "awaiting moderation" in page(author, article.get_absolute_url())
    other = page(client, article.get_absolute_url())
    assert "awaiting moderation" not in other
    assert "Mine." not in other


def test_an_article_without_comments_reads_no_thread_until_one_comes(client: Client) -> None:
    """A page read with no comment asks no thread query; a held then approved one still shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article()
    url = article.get_absolute_url()
    with CaptureQueriesContext(connection) as captured:
        page(client, url)
    thread = '"comments_comment"."body_html"'
    assert not [q for q in captured.captured_queries if thread in q["sql"]]
    held = Comment.objects.create(
        article=article, name="Rosa", body="1st.", body_html="<p>1st.</p>", visitor_hash="v" * 32
    )
    author = Client()
    author.cookies[cookie_name(held)] = edit_token(held)
    assert "awaiting moderation" in page(author, url)
    assert "1st." not in page(client, url)
    approve_comment(held, None)
    assert "1st." in page(client, url)


def test_the_blank_form_is_rendered_once_per_process_and_reply_target(client: Client) -> None:
    """Every article's section shows the same blank fields, rendered once; a reply target's own."""
    from django.template.loader import render_to_string

    from newsdesk.comments.forms import CommentForm
    from newsdesk.comments.templatetags.comments_tags import FORM_FIELDS_TEMPLATE, blank_form_fields

    blank_form_fields.cache_clear()
    first, second = make_article(), make_article()
    rosa = Comment.objects.create(
        article=first, name="Rosa", body="Hi.", body_html="<p>Hi.</p>", status=Status.APPROVED
    )
    fields = render_to_string(FORM_FIELDS_TEMPLATE, {"form": CommentForm()})
    for article in (first, second):
        html = page(client, article.get_absolute_url())
        assert fields in html
        assert f'action="/comments/post/{article.pk}/"' in html
    reply = page(client, f"{first.get_absolute_url()}?replyto={rosa.pk}")
    assert f'name="parent" value="{rosa.pk}"' in reply
    info = blank_form_fields.cache_info()
    assert (info.misses, info.hits) == (2, 1)
