"""Every public page names itself: one meta description, the site's icon; /favicon.ico answers."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.site.factories import make_article, make_source

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def descriptions(client: Client, path: str, status: int = 200) -> list[str]:
    response = client.get(path)
    assert response.status_code == status, path
    body = response.content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', body), path
    return [html.unescape(found) for found in DESCRIPTION.findall(body)]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/latest/", 200),
        ("/search/?q=news", 200),
        ("/search/", 200),
        ("/disclaimer/", 200),
        ("/no-such-page/", 404),
    ],
)
def test_site_pages_have_one_description(client: Client, path: str, status: int) -> None:
    """Listing, search, disclaimer and 404 pages each carry exactly one non-empty description."""
    make_article()
    found = descriptions(client, path, status)
    assert len(found) == 1 and found[0].strip(), found


def test_article_description_is_its_summary(client: Client) -> None:
    """An article page describes itself with its summary, markup-safe."""
    article = make_article(summary='Floods "rise" <b>fast</b> in the valley.')
    assert descriptions(client, article.get_absolute_url()) == [
        'Floods "rise" <b>fast</b> in the valley.'
    ]


def test_article_without_summary_is_described_by_its_text(client: Client) -> None:
    """Without a summary, the start of the article's text describes it."""
    article = make_article(summary="", body_text="The council met on Tuesday. " * 20)
    (found,) = descriptions(client, article.get_absolute_url())
    assert found.startswith("The council met on Tuesday.") and len(found) <= 200


def test_category_and_editor_pages_describe_themselves(client: Client) -> None:
    """A category page names the category; an editor page shows the editor's bio."""
    source = make_source()
    source.editor.bio = "Covers the harbour and the city council."
    source.editor.save()
    make_article(source=source)
    assert source.category is not None and source.editor is not None
    (category,) = descriptions(client, source.category.get_absolute_url())
    assert category.startswith(f"{source.category.name}: ")
    assert descriptions(client, source.editor.get_absolute_url()) == [
        "Covers the harbour and the city council."
    ]


def test_favicon_ico_leads_to_the_icon(client: Client) -> None:
    """Clients that ask for /favicon.ico are sent to the site's icon, which exists."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")
    assert finders.find("site/favicon.svg")
