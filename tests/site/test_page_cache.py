"""The page cache: shared pages for anonymous readers, retired when what they show changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from newsdesk.comments.actions import approve_comment
from newsdesk.comments.models import Comment, Status
from newsdesk.comments.tokens import cookie_name, edit_token
from newsdesk.core import pages
from newsdesk.hits import recorder
from newsdesk.hits.models import ArticleDaily, PageView
from newsdesk.hits.recorder import flush_now
from newsdesk.site.pagecache import STATUS_HEADER, storable
from newsdesk.stories.editing import rename_story
from newsdesk.stories.models import Story
from tests.hits import agents
from tests.site.factories import make_article, make_category, make_editor, make_source

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_USER_AGENT": agents.FIREFOX_LINUX}


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Any, tmp_path: Any) -> None:
    settings.NEWSDESK_PAGE_CACHE = True
    settings.NEWSDESK_PAGE_CACHE_SECONDS = 60
    settings.VAR_DIR = tmp_path  # the generation stamp of this test alone


def get(client: Client, path: str, **extra: Any) -> HttpResponse:
    response = client.get(path, **{**BROWSER, **extra})
    assert response.status_code == 200
    return response  # type: ignore[return-value]


def test_second_anonymous_request_is_answered_from_the_cache(client: Client) -> None:
    """The same page twice: rendered once, then served as stored, with no query at all."""
    article = make_article(title="Harbour reopens")
    first = get(client, article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        second = get(client, article.get_absolute_url())
    assert first[STATUS_HEADER] == "miss"
    assert second[STATUS_HEADER] == "hit"
    assert second.content == first.content
    assert len(queries) == 0
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second


@pytest.mark.parametrize("path", ["/", "/latest/", "/category/world/", "/editor/ada-byron/"])
def test_public_pages_carry_no_vary_cookie_or_cookie(client: Client, path: str) -> None:
    """Counting a view never opens the session, so shared pages do not vary by cookie."""
    make_article(
        source=make_source(
            category=make_category(name="World"), editor=make_editor(display_name="Ada Byron")
        )
    )
    for _ in range(2):
        response = get(client, path)
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies
    assert response[STATUS_HEADER] == "hit"


def test_publishing_an_article_updates_cached_pages(client: Client) -> None:
    """A newly stored article shows at once on cached home, Latest News and category pages."""
    category = make_category(name="World")
    source = make_source(category=category)
    make_article(source=source, title="First report")
    for path in ("/", "/latest/", "/category/world/"):
        get(client, path)
    make_article(source=source, title="Second report arrives")
    for path in ("/", "/latest/", "/category/world/"):
        response = get(client, path)
        assert response[STATUS_HEADER] == "miss"
        assert "Second report arrives" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_update_committed_elsewhere_retires_the_page(client: Client) -> None:
    """A change saved in its own transaction (as the crawler does) retires the cached page."""
    article = make_article(title="Old headline")
    assert "Old headline" in get(client, article.get_absolute_url()).content.decode()
    article.title = "New headline"
    article.save()
    assert "New headline" in get(client, article.get_absolute_url()).content.decode()


def test_approving_a_comment_updates_the_article_page(client: Client) -> None:
    """A held comment appears on the cached article page once a moderator approves it."""
    article = make_article()
    comment = Comment.objects.create(
        article=article, name="Rosa", body="Good piece.", body_html="<p>Good piece.</p>"
    )
    assert comment.status == Status.PENDING
    assert "Good piece." not in get(client, article.get_absolute_url()).content.decode()
    assert get(client, article.get_absolute_url())[STATUS_HEADER] == "hit"
    approve_comment(comment, None)
    page = get(client, article.get_absolute_url()).content.decode()
    assert "Good piece." in page
    assert "Rosa" in page  # the Recent Comments block is retired with the page


def test_category_and_editor_edits_update_pages(client: Client) -> None:
    """Renaming a category changes the cached nav; editing an editor changes their page."""
    category = make_category(name="World")
    editor = make_editor(display_name="Ada Byron")
    article = make_article(source=make_source(category=category, editor=editor))
    get(client, article.get_absolute_url())
    get(client, "/editor/ada-byron/")
    category.name = "Planet"
    category.save()
    editor.bio = "Covers harbours and rivers."
    editor.save()
    assert ">Planet<" in get(client, article.get_absolute_url()).content.decode()
    assert "Covers harbours and rivers." in get(client, "/editor/ada-byron/").content.decode()


def test_story_edit_updates_the_story_page(client: Client) -> None:
    """A headline an editor gives a story (a bulk write, no model signal) shows at once."""
    story = Story.objects.create()
    make_article(story=story, title="Bridge opens")
    staff = User.objects.create_user("ed", is_staff=True)
    get(client, f"/story/{story.pk}/")
    rename_story(story, "The bridge is open", actor=staff)
    assert "The bridge is open" in get(client, f"/story/{story.pk}/").content.decode()


def test_nav_counts_are_counted_once_per_generation(client: Client) -> None:
    """The nav's per-category counts are read from the cache until an article changes."""
    category = make_category(name="World")
    source = make_source(category=category)
    make_article(source=source)
    get(client, "/latest/")
    get(client, "/latest/?page=1")  # another page, same generation: counts come from the cache
    make_article(source=source)
    html = get(client, "/latest/?page=1").content.decode()
    assert '<span class="count">2</span>' in html


def test_article_views_are_read_from_the_daily_rollup(client: Client) -> None:
    """The view count sums one row a day: hourly rows are not read for it."""
    from datetime import date

    article = make_article()
    ArticleDaily.objects.create(article=article, day=date(2026, 3, 9), views=1200, visitors=9)
    ArticleDaily.objects.create(article=article, day=date(2026, 3, 10), views=34, visitors=2)
    html = get(client, article.get_absolute_url()).content.decode()
    assert 'data-views="1234"' in html


def test_staff_bypass_the_cache(client: Client) -> None:
    """Signed-in staff get pages rendered for them, never stored nor answered from the cache."""
    article = make_article()
    get(client, article.get_absolute_url())  # stored for anonymous readers
    staff = User.objects.create_user("mod", is_staff=True)
    client.force_login(staff)
    for _ in range(2):
        response = get(client, article.get_absolute_url())
        assert STATUS_HEADER not in response
    client.logout()
    assert get(Client(), article.get_absolute_url())[STATUS_HEADER] == "hit"


def test_an_author_sees_their_held_comment_and_others_never_do(client: Client) -> None:
    """The edit-token holder's page is theirs alone; the shared page never shows the notice."""
    article = make_article()
    held = Comment.objects.create(
        article=article,
        name="Rosa",
        body="Mine.",
        body_html="<p>Mine.</p>",
        visitor_hash="v" * 32,
    )
    author = Client()
    author.cookies[cookie_name(held)] = edit_token(held)
    own = get(author, article.get_absolute_url())
    assert "awaiting moderation" in own.content.decode()
    assert STATUS_HEADER not in own
    for _ in range(2):
        shared = get(client, article.get_absolute_url()).content.decode()
        assert "awaiting moderation" not in shared
        assert "Mine." not in shared
        assert 'name="csrfmiddlewaretoken" value=""' in shared


def test_views_are_counted_once_per_page_served_from_the_cache(client: Client) -> None:
    """Ten browser requests, nine of them cache hits, store ten views; a crawler's none."""
    recorder.use_buffer(None)
    recorder.get_buffer().clear()  # views queued by earlier tests' pages
    article = make_article()
    answers = [get(client, article.get_absolute_url())[STATUS_HEADER] for _ in range(10)]
    get(client, article.get_absolute_url(), HTTP_USER_AGENT="Googlebot/2.1")
    flush_now()
    assert answers.count("hit") == 9
    assert PageView.objects.filter(article=article).count() == 10


def test_a_page_that_asked_for_a_csrf_token_is_never_stored(rf: RequestFactory) -> None:
    """Storing needs a body that holds nothing of its reader: a CSRF token is such a thing."""
    from django.middleware.csrf import get_token

    request = rf.get("/")
    assert storable(request, HttpResponse("page"))
    get_token(request)
    assert not storable(request, HttpResponse("page"))
    response = HttpResponse("page")
    response.set_cookie("x", "y")
    assert not storable(rf.get("/"), response)


def test_generation_file_changes_on_every_bump(settings: Any, tmp_path: Any) -> None:
    """Two bumps in a row give two generations, also within the clock's resolution."""
    seen = {pages.current_generation()}
    for _ in range(3):
        pages.bump_generation()
        seen.add(pages.current_generation())
    assert len(seen) == 4


def test_a_hit_carries_the_headers_of_the_rendered_page(client: Client) -> None:
    """Answered before the inner middleware run, a hit still has their headers and a length."""
    article = make_article()
    first = get(client, article.get_absolute_url())
    second = get(client, article.get_absolute_url())
    assert second[STATUS_HEADER] == "hit"
    for name in ("Content-Type", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
        assert second[name] == first[name]
    assert second["Content-Length"] == str(len(second.content))


def test_a_refused_host_is_never_answered_from_the_cache(client: Client) -> None:
    """The key holds the host as sent: another host misses, and Django refuses it as before."""
    article = make_article()
    get(client, article.get_absolute_url())
    assert get(client, article.get_absolute_url())[STATUS_HEADER] == "hit"
    response = client.get(article.get_absolute_url(), HTTP_HOST="evil.example", **BROWSER)
    assert response.status_code == 400
    assert STATUS_HEADER not in response


def test_a_query_string_is_part_of_the_key(client: Client) -> None:
    """Another query is another page: rendered for itself, then cached on its own."""
    make_article()
    assert get(client, "/")[STATUS_HEADER] == "miss"
    assert get(client, "/?popular=7d")[STATUS_HEADER] == "miss"
    assert get(client, "/?popular=7d")[STATUS_HEADER] == "hit"


def test_a_head_request_on_a_cached_page_is_counted_as_filtered(client: Client) -> None:
    """HEAD is answered from the cache but is no reader's view."""
    recorder.use_buffer(None)
    recorder.get_buffer().clear()
    article = make_article()
    get(client, article.get_absolute_url())
    response = client.head(article.get_absolute_url(), **BROWSER)
    assert response[STATUS_HEADER] == "hit"
    flush_now()
    assert PageView.objects.filter(article=article).count() == 1
