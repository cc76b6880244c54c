"""The article page: breadcrumb, dates, provenance, editor, language, safety."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from newsdesk.stories.models import Article, ArticleStatus
from tests.site.factories import (
    make_article,
    make_category,
    make_editor,
    make_image,
    make_source,
)
from tests.site.test_pages import OTHER_APPS_QUERY_ALLOWANCE, count_queries

pytestmark = pytest.mark.django_db

LONG_TITLE = "Prime Minister announces new housing plan, critics say it is far too little"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def article() -> Article:
    editor = make_editor(display_name="Ada Lovelace", bio="")
    source = make_source(
        name="The Morning Post", category=make_category(name="Politics"), editor=editor
    )
    return make_article(
        source=source,
        title=LONG_TITLE,
        author="Pat Reporter",
        url="https://morningpost.example.org/2024/06/housing",
        image_url="https://img.example.org/housing.jpg",
        image=make_image(width=1600, height=900, widths=[320, 640, 1024, 1600]),
        image_alt="Terraced houses in the rain",
        published_at=datetime(2024, 6, 22, 20, 49, 2, tzinfo=UTC),
        first_seen_at=datetime(2024, 6, 22, 20, 55, 0, tzinfo=UTC),
        body_html="<p>The plan <em>doubles</em> funding.</p>",
    )


def get_html(client: Client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_breadcrumb_has_category_and_truncated_title(client: Client, article: Article) -> None:
    """The breadcrumb reads Home > Category > title cut near 60 characters (› separators)."""  # noqa: RUF002
    html = get_html(client, article)
    crumb = html[html.index('class="breadcrumb"') : html.index("</nav>", html.index("breadcrumb"))]
    text = " ".join(re.sub(r"<[^>]+>", " ", crumb).split())
    assert text.endswith(
        "Home \u203a Politics \u203a Prime Minister announces new housing plan, critics say it…"
    )
    assert f'<h1 class="article-title">{LONG_TITLE}</h1>' in html


def test_date_and_time_in_site_zone(client: Client, article: Article, settings) -> None:
    """Publication date and time are shown in the site's zone, to the minute, with the zone."""
    settings.TIME_ZONE = "America/New_York"
    html = get_html(client, article)
    assert '<span class="label">Date: </span><span class="date-long">June 22, 2024</span>' in html
    assert '<span class="date-short">Jun 22, 2024</span><span class="label"> Time:</span>' in html
    assert "</span> 16:49 EDT</time>" in html
    assert "16:49:02" not in html.split("</head>")[1]
    assert 'data-first-seen="2024-06-22T16:55:00-04:00"' in html
    assert "Updated:" not in html


def test_update_time_shown_when_it_differs(client: Client, article: Article, settings) -> None:
    """A real update is shown next to the publication time."""
    settings.TIME_ZONE = "America/New_York"
    article.updated_at = datetime(2024, 6, 23, 9, 0, 0, tzinfo=UTC)
    article.save()
    assert "Updated: June 23, 2024, 05:00 EDT" in get_html(client, article)


def test_author_image_and_body(client: Client, article: Article) -> None:
    """The byline, lead image and sanitized body are shown."""
    html = get_html(client, article)
    assert 'By <span class="author">Pat Reporter</span>' in html
    assert "<p>The plan <em>doubles</em> funding.</p>" in html
    figure = html.split('<figure class="article-image">')[1].split("</figure>")[0]
    short = article.image.digest[:32]  # type: ignore[union-attr]
    assert f'src="/media/images/{short[:2]}/{short}-640.webp"' in figure
    assert f"/media/images/{short[:2]}/{short}-1600.webp 1600w" in figure
    assert 'width="1600" height="900"' in figure
    assert 'alt="Terraced houses in the rain"' in figure
    assert "sizes=" in figure and 'decoding="async"' in figure


def test_source_image_address_never_reaches_the_page(client: Client, article: Article) -> None:
    """The source's own image URL is kept for provenance but never shown to a reader."""
    assert "img.example.org" not in get_html(client, article)


def test_lead_picture_already_in_the_body_is_not_shown_twice(
    client: Client, article: Article
) -> None:
    """When the body shows the lead picture, the page has no second copy above it."""
    short = article.image.digest[:32]  # type: ignore[union-attr]
    article.body_html = f'<p><img src="/media/images/{short[:2]}/{short}-640.webp" alt=""></p>'
    article.save()
    assert '<figure class="article-image">' not in get_html(client, article)


def test_article_without_picture_has_no_figure(client: Client, article: Article) -> None:
    """No stored picture: no figure, no empty box, no image element at all."""
    article.image = None
    article.save()
    html = get_html(client, article)
    assert '<figure class="article-image">' not in html
    assert "<img" not in html
    assert "og:image" not in html


def test_source_box_links_to_original(client: Client, article: Article) -> None:
    """The source box names the publisher and links to the original without referrer trust."""
    html = get_html(client, article)
    assert (
        'Originally published by <span class="source-name">The Morning Post</span> — '
        '<a href="https://morningpost.example.org/2024/06/housing" rel="noopener nofollow"'
    ) in html
    assert ">read the original</a>" in html


def test_disclaimer_with_read_more(client: Client, article: Article, settings) -> None:
    """The configured disclaimer is shown with a Read more link to the disclaimer page."""
    settings.NEWSDESK_DISCLAIMER = "Not ours; rights stay with the publisher."
    html = get_html(client, article)
    assert 'Not ours; rights stay with the publisher. <a href="/disclaimer/">Read more</a>' in html


def test_editor_box_with_monogram_and_default_bio(client: Client, article: Article) -> None:
    """The editor box shows a monogram, the name linked to the editor page and a bio."""
    html = get_html(client, article)
    box = html[html.index('class="editor-box"') :]
    assert ">AL</span>" in box
    assert '<a href="/editor/ada-lovelace/">Ada Lovelace</a>' in box
    assert "Ada Lovelace is an editor covering all types of news." in box


def test_no_editor_box_without_editor(client: Client) -> None:
    """Articles of a source without an editor have no editor box."""
    item = make_article(source=make_source(editor=None))
    assert 'class="editor-box"' not in get_html(client, item)


def test_german_article_has_language_label(client: Client, settings) -> None:
    """An article in another language than the site's is labelled and marked with lang."""
    settings.NEWSDESK_LANGUAGE = "en"
    item = make_article(title="Regierung stellt Plan vor", language="de")
    html = get_html(client, item)
    assert '<p class="language-badge" title="This article is in German">German</p>' in html
    assert '<div class="article-body" lang="de">' in html


def test_site_language_article_has_no_label(client: Client, article: Article) -> None:
    """Articles in the site's language carry no label."""
    assert "language-badge" not in get_html(client, article)


def test_related_more_from_category(client: Client, article: Article) -> None:
    """Related articles come from the same category, without the article itself."""
    sibling = make_article(source=make_source(category=article.source.category), title="Sibling")
    make_article(title="Unrelated")
    response = client.get(article.get_absolute_url())
    assert [a.title for a in response.context["around"]["related"]] == [sibling.title]
    assert 'More from <a href="/category/politics/">Politics</a>' in response.content.decode()


def test_meta_tags_and_json_ld(client: Client, article: Article) -> None:
    """Canonical, Open Graph and a NewsArticle JSON-LD describe the article."""
    html = get_html(client, article)
    canonical = f"http://127.0.0.1:8000{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    short = article.image.digest[:32]  # type: ignore[union-attr]
    local = f"http://127.0.0.1:8000/media/images/{short[:2]}/{short}-1024.webp"
    assert f'<meta property="og:image" content="{local}">' in html
    raw = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    data = json.loads(raw)
    assert data["@type"] == "NewsArticle"
    assert data["url"] == canonical
    assert data["datePublished"] == "2024-06-22T20:49:02+00:00"
    assert data["author"] == {"@type": "Person", "name": "Pat Reporter"}
    assert data["image"] == [local]


def test_wrong_slug_redirects_to_canonical(client: Client, article: Article) -> None:
    """An article URL with a stale slug redirects permanently to the canonical one."""
    response = client.get(f"/article/{article.pk}/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_unicode_slug_is_served_without_redirect(client: Client) -> None:
    """Non-ASCII slugs are canonical as they are (no redirect loop)."""
    item = make_article(title="Grüße", slug="grüße")
    assert client.get(item.get_absolute_url()).status_code == 200


def test_hidden_article_is_404(client: Client, article: Article) -> None:
    """A hidden article is not found."""
    article.status = ArticleStatus.HIDDEN
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_article_of_inactive_source_is_404(client: Client, article: Article) -> None:
    """Articles of a deactivated source are not found."""
    article.source.active = False
    article.source.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_article_queries_do_not_grow_with_content(client: Client, article: Article) -> None:
    """The article page costs the same few queries however many related articles exist."""
    url = article.get_absolute_url()
    small = count_queries(client, url)
    for _ in range(6):
        make_article(source=make_source(category=article.source.category))
    assert count_queries(client, url) == small
    # Own queries: article with its source, category and editor; related; navigation.
    assert small <= 3 + OTHER_APPS_QUERY_ALLOWANCE


def test_script_payloads_in_fields_are_escaped(client: Client) -> None:
    """Title, summary, author, source name and URLs from feeds are escaped or dropped."""
    source = make_source(name=f"Evil {XSS}", editor=make_editor(bio=XSS))
    item = make_article(
        source=source,
        title=f"Title {XSS}",
        summary=f"Summary {XSS}",
        author=f"Author {XSS}",
        url="javascript:alert(1)",
        image_url="javascript:alert(2)",
        body_html="",
    )
    pages = [
        client.get(item.get_absolute_url()).content.decode(),
        client.get("/").content.decode(),
        client.get("/latest/").content.decode(),
        client.get("/search/", {"q": "Title"}).content.decode(),
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "javascript:" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # JSON-LD holds the payload as data, with < and > escaped so it cannot close the tag.
    assert "\\u003Cscript\\u003E" in pages[0]
