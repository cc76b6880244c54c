"""List items written in Python (site/cards.py) carry the markup the templates wrote."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import clear_script_prefix, set_script_prefix
from django.utils import timezone

from newsdesk.core.paths import site_path
from newsdesk.site import cards
from newsdesk.stories.queries import StoryCard
from tests.site.factories import make_article, make_image, make_source

pytestmark = pytest.mark.django_db

# The templates cards.py replaced (site/_article_item.html with _story_sources.html inlined).
TEMPLATE_ITEM = (
    Path(__file__).parent.parent / "data" / "site" / "story_item_template.html"
).read_text()


def squeezed(html: str) -> str:
    """Drop whitespace between tags and at line starts: the browser shows none of it."""
    return re.sub(r"\s*\n\s*", "", str(html)).strip()


def template_item(item: object, **context: object) -> str:
    values = {"item": item, "card": getattr(item, "story_card", None), **context}
    return Template(TEMPLATE_ITEM).render(Context(values))


@pytest.mark.parametrize(
    ("context", "comments", "card", "day_only", "age"),
    [
        ({}, 0, None, False, timedelta(hours=3)),
        ({"compact": True}, 1, StoryCard(7, ["A <b>", "B & Co"]), False, timedelta(days=3)),
        ({"compact": 0, "level": 2}, 12, StoryCard(8, ["A", "B", "C", "D", "E"]), True, None),
        ({"compact": 2}, 2, StoryCard(9, ["Only one"]), False, timedelta(minutes=5)),
    ],
)
def test_story_item_matches_the_template(
    context: dict[str, object],
    comments: int,
    card: StoryCard | None,
    day_only: bool,
    age: timedelta | None,
) -> None:
    """Every variant (compact, heading level, comments, story line, day-only date) is unchanged."""
    published = datetime(2024, 3, 5, tzinfo=UTC) if age is None else timezone.now() - age
    source = make_source(name="Le Monde <Diplo> & Co")
    item = make_article(
        source=source,
        title='Storm "Ciarán" hits <the> coast & ports',
        summary=" ".join(["word"] * 60) + " <script>",
        published_at=published,
        published_day_only=day_only,
        image=make_image(),
    )
    item.comment_count = comments  # type: ignore[attr-defined]
    item.story_card = card  # type: ignore[attr-defined]
    expected = squeezed(template_item(item, **context))
    got = squeezed(cards.story_item(item, context.get("compact", False), context.get("level")))
    assert got == expected
    assert "<script>" not in got and "&lt;the&gt;" in got


def test_story_item_without_picture_or_extras() -> None:
    """An article without picture, comments or story card renders the bare item."""
    item = make_article(summary="")
    assert squeezed(cards.story_item(item)) == squeezed(template_item(item))
    assert "no-image" in cards.story_item(item)


def test_site_path_follows_the_script_prefix() -> None:
    """A remembered link still carries the prefix of a site served under a path."""
    plain = site_path("site:latest")
    set_script_prefix("/news/")
    try:
        assert site_path("site:latest") == "/news" + plain
    finally:
        clear_script_prefix()
    assert site_path("site:latest") == plain


def test_warm_home_page_asks_the_database_nothing(
    client: Client, settings: object, tmp_path: Path
) -> None:
    """Once the blocks are rendered for this generation, the home page needs no query."""
    settings.NEWSDESK_PAGE_CACHE = False  # type: ignore[attr-defined]
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]  # this test's generation alone
    make_article(title="Kept on the front page")
    first = client.get("/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/").content.decode()
    assert len(queries.captured_queries) == 0
    assert "Kept on the front page" in again
    assert squeezed(again) == squeezed(first)


def test_home_and_article_fragments_follow_the_generation(client: Client, settings: object) -> None:
    """A new article and an approved comment show at once on the home and article pages."""
    from newsdesk.comments.models import Comment, Status

    settings.NEWSDESK_PAGE_CACHE = False  # type: ignore[attr-defined]
    article = make_article(title="First story")
    for _ in range(6):  # newer stories take the lead and the top slots; the first is listed
        make_article(published_at=timezone.now())
    client.get("/")
    client.get(article.get_absolute_url())
    make_article(title="Second story", source=article.source)
    assert "Second story" in client.get("/").content.decode()
    Comment.objects.create(
        article=article,
        name="Reader",
        body="Yes.",
        body_html="<p>Yes.</p>",
        status=Status.APPROVED,
    )
    assert "1 comment</a>" in client.get("/").content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Second story" in page  # "More from" the same section
    assert "1 comment" in page


def test_comment_thread_is_read_once_per_generation(
    client: Client, settings: object, tmp_path: Path
) -> None:
    """Readers without an edit token share the stored thread; an author's held comment shows."""
    from newsdesk.comments.models import Comment, Status
    from newsdesk.comments.tokens import cookie_name

    settings.NEWSDESK_PAGE_CACHE = False  # type: ignore[attr-defined]
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    article = make_article()
    url = article.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not [q for q in queries.captured_queries if "comments_comment" in q["sql"]]
    held = Comment.objects.create(
        article=article,
        name="Author",
        body="Held.",
        body_html="<p>Held.</p>",
        status=Status.PENDING,
    )
    assert "Held." not in client.get(url).content.decode()
    client.cookies[cookie_name(held)] = "not-a-valid-token"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert [q for q in queries.captured_queries if "comments_comment" in q["sql"]]
