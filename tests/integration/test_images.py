"""Crawl a feed with pictures over loopback HTTP: stored widths, rewritten bodies, served files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.sources.models import Category, Source
from newsdesk.stories.models import Article, ArticleImage, Image, ImageRole
from tests.ingest import imagefixtures as fx

pytestmark = pytest.mark.django_db(transaction=True)

REMOTE = "https://images.example.com/remote.jpg"
BODY = """<p>Opening paragraph about the harbour.</p>
<figure><img src="{base}/img/photo.png" alt="The harbour at dawn">
<figcaption>Harbour</figcaption></figure>
<p>Tracked <img src="{base}/img/pixel.gif" width="1" height="1"> by a pixel.</p>
<p><img src="{remote}" alt="On the public web"></p>
<figure><img src="{base}/img/vector.svg"><figcaption>Scriptable vector</figcaption></figure>
<p><a href="https://example.org/"><img src="{base}/img/missing.jpg"></a></p>
<p>Closing paragraph.</p>"""
FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Picture Wire</title><link>{base}/</link>
<description>Pictures</description>
<item><title>Harbour at dawn</title><link>{base}/story/1</link>
<guid isPermaLink="false">pic-1</guid>
<pubDate>Mon, 02 Jun 2025 08:00:00 +0000</pubDate>
<media:content url="{base}/img/lead.jpg" medium="image"/>
<content:encoded><![CDATA[{body}]]></content:encoded></item>
<item><title>The same picture again</title><link>{base}/story/2</link>
<guid isPermaLink="false">pic-2</guid>
<pubDate>Mon, 02 Jun 2025 07:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>Second story.</p>
<p><img src="{base}/img/photo.png" alt="Again"></p>]]></content:encoded></item>
</channel></rss>"""


def serve_images(server: CorpusServer) -> None:
    images = server.root / "img"
    images.mkdir(parents=True, exist_ok=True)
    (images / "photo.png").write_bytes(fx.photo(1800, 1200, "PNG"))
    (images / "lead.jpg").write_bytes(fx.photo(1000, 500))
    (images / "pixel.gif").write_bytes(fx.tracking_pixel())
    (images / "vector.svg").write_bytes(fx.SVG)


@pytest.fixture
def wire(corpus_server: CorpusServer) -> Source:
    serve_images(corpus_server)
    base = corpus_server.base_url
    body = BODY.format(base=base, remote=REMOTE)
    (corpus_server.root / "feed.rss").write_text(FEED.format(base=base, body=body))
    category = Category.objects.create(name="Pictures", slug="pictures", order=1)
    return Source.objects.create(
        name="Picture Wire", feed_url=corpus_server.url("feed.rss"), category=category
    )


def stored_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.webp"))


def test_crawl_stores_pictures_and_rewrites_the_body(
    wire: Source, corpus_server: CorpusServer, client: Client
) -> None:
    """Good pictures are stored in their widths; pixel, SVG, remote and missing ones are gone."""
    [result] = crawl([wire])
    assert result.new == 2
    first = Article.objects.get(guid="pic-1")
    photo_use = ArticleImage.objects.get(article=first, role=ImageRole.BODY)
    photo = photo_use.image
    assert (photo.width, photo.height, photo.widths) == (1800, 1200, [320, 640, 1024, 1600])
    assert photo_use.alt == "The harbour at dawn"
    assert first.image is not None and first.image.widths == [320, 640, 1000]
    assert first.image_alt == "" and first.images_checked_at is not None
    # One row and one set of files per picture, though two articles show the photo.
    assert Image.objects.count() == 2
    assert len(stored_files()) == 4 + 3
    assert len(corpus_server.requests_for("/img/photo.png")) == 1
    assert corpus_server.requests_for("/img/photo.png")[0].headers["Accept"].startswith("image/")

    body = first.body_html
    assert "127.0.0.1" not in body and "example.com" not in body
    assert body.count("<img") == 1 and "Harbour</figcaption>" in body
    assert "Scriptable vector" not in body and "<a " not in body  # emptied wrappers go too
    assert "Tracked  by a pixel." in body and "Closing paragraph." in body
    assert 'srcset="/media/images/' in body and 'alt="The harbour at dawn"' in body

    page = client.get(first.get_absolute_url()).content.decode()
    article_part = page.split('<article class="article">')[1].split("</article>")[0]
    assert len(re.findall(r"<img [^>]+>", article_part)) == 2  # the lead figure, the photo
    for tag in re.findall(r"<img [^>]+>", page):
        urls = re.findall(r'(?:src|srcset)="([^"]+)"', tag)
        assert urls and all(url.startswith("/media/images/") for url in urls)


def test_stored_files_are_served_with_a_year_long_cache(wire: Source, client: Client) -> None:
    """The site serves each stored width itself: WebP, immutable, a year of caching."""
    crawl([wire])
    page = client.get(Article.objects.get(guid="pic-1").get_absolute_url()).content.decode()
    for url in set(re.findall(r"(/media/images/[^\s\"]+\.webp)", page)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert b"".join(response.streaming_content)[8:12] == b"WEBP"  # type: ignore[attr-defined]
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../../secret_key",
        "/media/images/%2e%2e/%2e%2e/secret_key",
        "/media/secret_key",
        "/media/images/ab/unknown-320.webp",
    ],
)
def test_the_media_view_serves_stored_images_only(client: Client, path: str) -> None:
    """Nothing outside the stored images is reachable through the media URL."""
    assert client.get(path).status_code == 404


def test_home_cards_show_local_thumbnails(
    wire: Source, corpus_server: CorpusServer, client: Client
) -> None:
    """The home page's cards and lead use the stored widths, never the sources' addresses."""
    crawl([wire])
    home = client.get("/").content.decode()
    assert corpus_server.base_url not in home and "example.com" not in home
    assert home.count('sizes="') >= 2
    images = re.findall(r'<img[^>]*\ssrc="([^"]+)"', home)
    assert images and all(url.startswith("/media/images/") for url in images)


def test_images_turned_off_drops_them_all(wire: Source, settings) -> None:
    """With NEWSDESK_IMAGES off nothing is fetched and no body keeps an image."""
    settings.NEWSDESK_IMAGES = False
    crawl([wire])
    assert Image.objects.count() == 0
    assert all("<img" not in a.body_html for a in Article.objects.all())
    assert Article.objects.filter(image__isnull=False).count() == 0


def legacy_article(source: Source, base: str, number: int) -> Article:
    """An article stored before images were fetched at ingest: its body names remote files."""
    now = timezone.now()
    return Article.objects.create(
        source=source,
        guid=f"legacy-{number}",
        url=f"{base}/legacy/{number}",
        slug=f"legacy-{number}",
        title=f"Legacy story {number}",
        body_html=f'<p>Old text.</p><p><img src="{base}/img/photo.png" alt="Old photo"></p>',
        image_url=f"{base}/img/lead.jpg",
        published_at=now,
        first_seen_at=now,
    )


def test_refresh_fetches_images_of_older_articles_bounded_and_resumable(
    wire: Source, corpus_server: CorpusServer, client: Client, capsys
) -> None:
    """Older articles show no remote image; `images refresh --limit` fetches theirs, run by run."""
    articles = [legacy_article(wire, corpus_server.base_url, n) for n in range(3)]
    before = client.get(articles[0].get_absolute_url()).content.decode()
    assert "<img" not in before  # never the source's address, even before a refresh

    call_command("images", "refresh", "--limit", "2")
    assert "1 articles still pending" in capsys.readouterr().out
    call_command("images", "refresh", "--source", str(wire.pk))
    assert "0 articles still pending" in capsys.readouterr().out
    for article in Article.objects.filter(guid__startswith="legacy-"):
        assert article.images_checked_at is not None and article.image is not None
        assert 'srcset="/media/images/' in article.body_html
    page = client.get(articles[0].get_absolute_url()).content.decode()
    article_part = page.split('<article class="article">')[1].split("</article>")[0]
    assert article_part.count("<img ") == 2
    srcs = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert all(src.startswith("/media/images/") for src in srcs), srcs


def test_refresh_all_fetches_again_in_the_current_widths(
    wire: Source, corpus_server: CorpusServer, settings, capsys
) -> None:
    """`--all` fetches every picture again and stores it in the widths now configured."""
    crawl([wire])
    first = Article.objects.get(guid="pic-1")
    settings.NEWSDESK_IMAGES_WIDTHS = [400, 800]
    requests = len(corpus_server.requests_for("/img/photo.png"))
    call_command("images", "refresh", "--all", "--source", str(wire.pk))
    assert "Marked 2 articles" in capsys.readouterr().out
    assert len(corpus_server.requests_for("/img/photo.png")) == requests + 2
    refreshed = Article.objects.get(pk=first.pk)
    use = ArticleImage.objects.get(article=refreshed, role=ImageRole.BODY)
    assert use.image.widths == [400, 800] and use.alt == "The harbour at dawn"
    assert "-800.webp 800w" in refreshed.body_html and "-1600.webp" not in refreshed.body_html
    assert refreshed.image is not None and refreshed.image.widths == [400, 800]


def test_refresh_keeps_the_stored_copy_of_a_picture_the_source_lost(
    wire: Source, corpus_server: CorpusServer
) -> None:
    """A picture its source no longer serves keeps showing the copy fetched before."""
    crawl([wire])
    before = Article.objects.get(guid="pic-1")
    (corpus_server.root / "img" / "photo.png").unlink()
    (corpus_server.root / "img" / "lead.jpg").unlink()
    call_command("images", "refresh", "--all")
    after = Article.objects.get(pk=before.pk)
    assert after.body_html == before.body_html and after.body_html.count("<img") == 1
    # The lead had no copy in the body: the body's picture leads now.
    assert after.image == ArticleImage.objects.get(article=after, role=ImageRole.BODY).image


def test_refresh_refuses_an_unknown_source() -> None:
    """A source id that does not exist is an error, not a silent no-op."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no source"):
        call_command("images", "refresh", "--source", "999999")
