"""A reader's browser over the crawled demo asks only the site itself, and every image loads.

The whole demo catalog is crawled over loopback HTTP, as `newsdesk demo` does:
real feeds and saved pages name hundreds of images, tracking pixels and ad
servers on the public web, which the fetch allow-list keeps out; the Picture
Desk's photographs are fetched, stored and shown. Chromium then opens each kind
of reader page and records every request it makes.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsdesk.demo import catalog
from newsdesk.demo.management.commands.demo import load_catalog
from newsdesk.demo.server import CorpusServer
from newsdesk.ingest.crawler import crawl
from newsdesk.stories.models import Article
from tests.browser import wait_until
from tests.hits.test_browser import READER_UA, browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Wait for every image on the page, lazy ones included, then report the broken ones.
ALL_IMAGES_SETTLED = "() => [...document.images].every(image => image.complete)"
BROKEN_IMAGES = """() => [...document.images]
    .filter(image => !(image.naturalWidth > 0))
    .map(image => image.currentSrc || image.src || image.outerHTML)"""
LOADED_FROM = "() => [...document.images].map(image => image.currentSrc)"


@pytest.fixture
def demo_site(tmp_path: Path) -> dict[str, Article]:
    """Crawl the whole demo corpus into the test database; return articles worth opening."""
    with CorpusServer(tmp_path / "corpus") as server:
        catalog.render_corpus(server.base_url, tmp_path / "corpus")
        results = crawl(load_catalog(server))
    assert sum(result.new for result in results) > 90
    # Every TechCrunch entry carried feedburner pixels, ad images and remote pictures;
    # World Press pages carry remote pictures that extraction keeps.
    return {
        "pictures": Article.objects.get(title__startswith="Hubble eXtreme Deep Field"),
        "tracked": Article.objects.filter(source__name="TechCrunch").order_by("pk")[0],
        "extracted": Article.objects.filter(source__name="World Press Sampler").order_by("pk")[0],
    }


def test_reader_pages_ask_only_the_site_and_every_image_loads(
    browser: object,  # noqa: F811
    live_server: object,
    demo_site: dict[str, Article],
) -> None:
    """Home, latest, category, article, editor and search pages request nothing elsewhere."""
    base = str(live_server.url)  # type: ignore[attr-defined]
    origin = urlsplit(base).netloc
    pages = {
        "home": "/",
        "latest": "/latest/",
        "category": "/category/culture/",
        "article with pictures": demo_site["pictures"].get_absolute_url(),
        "article with tracking pixels": demo_site["tracked"].get_absolute_url(),
        "extracted article": demo_site["extracted"].get_absolute_url(),
        "editor": "/editor/samuel-okafor/",
        "search": "/search/?q=the",
    }
    requested: list[str] = []
    context = browser.new_context(user_agent=READER_UA)  # type: ignore[attr-defined]
    # Record every request; abort any that would leave the machine (none should be made).
    context.on("request", lambda request: requested.append(request.url))
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if urlsplit(route.request.url).netloc == origin else route.abort()
        ),
    )
    page = context.new_page()
    shown_images = 0
    for name, path in pages.items():
        requested.clear()
        response = page.goto(base + path, wait_until="load")
        assert response is not None and response.status == 200, name
        for image in page.locator("img").all():
            image.scroll_into_view_if_needed()  # lazy images load when they come near
        wait_until(page, ALL_IMAGES_SETTLED)
        assert page.evaluate(BROKEN_IMAGES) == [], name
        loaded = page.evaluate(LOADED_FROM)
        assert all(src.startswith(f"{base}/media/images/") for src in loaded), (name, loaded)
        shown_images += len(loaded)
        elsewhere = [url for url in requested if urlsplit(url).netloc != origin]
        assert elsewhere == [], (name, elsewhere)
        assert requested, name
    context.close()
    assert shown_images >= 10  # the Picture Desk's photographs, on cards and article pages
