"""Reader pages in Chromium at 390x844 (a phone) and 1366 px: first screen, rows, order.

Screenshots are kept as test artefacts in ``var/test-artifacts/front/`` (the path
is printed), so a person can look at what the assertions measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image as PILImage

from newsdesk.core.media import rendition_name
from newsdesk.stories.models import Article, Image
from tests.browser import READER_UA, launch_chromium, stay_on_loopback
from tests.site.factories import make_article, make_category, make_image, make_source

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LONG_TITLE = (
    "Regional council approves the long-debated harbour bridge after a night of votes, "
    "protests and a last-minute amendment"
)


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from launch_chromium()


def artefact(name: str) -> Path:
    folder = Path(django_settings.VAR_DIR) / "test-artifacts" / "front"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def stored_image() -> Image:
    """An image row with its files written, so the browser loads real pictures."""
    image = make_image(width=1200, height=800, widths=[320, 640])
    for width in image.widths:
        content = BytesIO()
        PILImage.new("RGB", (width, width * 2 // 3), (40, 90, 140)).save(content, "WEBP")
        default_storage.save(rendition_name(image.digest, width, "webp"), content)
    return image


def _site() -> Article:
    category = make_category(name="Politics")
    source = make_source(category=category, name="Harbour Gazette")
    article = make_article(source=source, title=LONG_TITLE, author="Pat Reporter")
    for number in range(6):
        make_article(
            source=make_source(category=category, name=f"Outlet {number}"),
            title=f"Regional story number {number} from a neighbouring town",
            image=stored_image() if number % 2 else None,
            published_at=timezone.now() - timedelta(hours=number + 1),
        )
    return article


def _open(browser: Any, base: str, path: str, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(viewport=viewport, user_agent=READER_UA, **options)
    context.route("**/*", stay_on_loopback)
    page = context.new_page()
    page.goto(base + path)
    return page


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_article_headline_and_meta_fit_the_first_phone_screen(
    browser: Any, live_server: Any
) -> None:
    """At 390x844 the header row, breadcrumb and headline fit well within the first screen."""
    article = _site()
    page = _open(browser, live_server.url, article.get_absolute_url(), PHONE)
    page.screenshot(path=artefact("article-390.png"))
    print("screenshot:", artefact("article-390.png"))
    assert _overflow(page) <= 0
    headline = page.locator("h1.article-title").bounding_box()
    assert headline["y"] < 300, headline  # starts high in the first screen
    # Date, hit counter and search share one compact row.
    row = [page.locator(sel).bounding_box() for sel in (".today", ".site-hits", ".search-link")]
    assert max(box["y"] for box in row) - min(box["y"] for box in row) < 12
    assert page.locator(".masthead-top").bounding_box()["height"] < 50
    # Byline, date and views on one line.
    meta = [page.locator(sel).bounding_box() for sel in (".byline", ".published", ".article-views")]
    assert max(box["y"] for box in meta) - min(box["y"] for box in meta) < 6, meta
    assert page.locator("time.published .date-long").is_hidden()


def test_breadcrumb_never_starts_a_line_with_the_separator(browser: Any, live_server: Any) -> None:
    """Each separator stays at the end of the crumb before it, at every width."""
    article = _site()
    for viewport in (PHONE, DESKTOP, {"width": 320, "height": 700}):
        page = _open(browser, live_server.url, article.get_absolute_url(), viewport)
        starts = page.evaluate(
            """() => {
              const list = document.querySelector('.breadcrumb ol').getBoundingClientRect();
              return [...document.querySelectorAll('.breadcrumb .sep')]
                .flatMap(sep => [...sep.getClientRects()].map(r => r.left - list.left));
            }"""
        )
        assert starts and min(starts) > 4, (viewport, starts)


def test_sidebar_comes_after_the_article_and_before_the_footer(
    browser: Any, live_server: Any
) -> None:
    """On a phone the widgets follow the article (and its comments) and precede the footer."""
    article = _site()
    page = _open(browser, live_server.url, article.get_absolute_url(), PHONE)
    main = page.locator("main").bounding_box()
    sidebar = page.locator("aside.sidebar").bounding_box()
    footer = page.locator(".site-footer").bounding_box()
    assert main["y"] + main["height"] <= sidebar["y"] < footer["y"]
    tab = page.locator('.popular-tabs a[aria-current="true"]')
    assert tab.inner_text() == "24 hours"
    colour = tab.evaluate("el => getComputedStyle(el).borderBottomColor")
    other = page.locator(".popular-tabs a:not([aria-current])").first
    assert colour != other.evaluate("el => getComputedStyle(el).borderBottomColor")


def test_search_button_works_without_javascript(browser: Any, live_server: Any) -> None:
    """On a phone the search button is a link to the search page: no script needed."""
    _site()
    page = _open(browser, live_server.url, "/", PHONE, java_script_enabled=False)
    page.locator(".search-link").click()
    page.wait_for_url("**/search/")
    page.locator("#search-page-q").fill("harbour")
    page.locator(".search-form-large button").click()
    page.wait_for_url("**/search/?q=harbour")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_home_and_latest_have_no_overflow_or_broken_images(
    browser: Any, live_server: Any, viewport: dict[str, int]
) -> None:
    """Home and Latest News fit the width, and every <img> has loaded."""
    _site()
    for path, name in (("/", "home"), ("/latest/", "latest")):
        page = _open(browser, live_server.url, path, viewport)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        shot = artefact(f"{name}-{viewport['width']}.png")
        page.screenshot(path=shot, full_page=True)
        print("screenshot:", shot)
        assert _overflow(page) <= 0
        broken = page.evaluate(
            "[...document.images].filter(i => i.complete && i.naturalWidth === 0).length"
        )
        assert broken == 0


def test_a_lost_image_file_leaves_a_text_card_not_a_broken_icon(
    browser: Any, live_server: Any
) -> None:
    """A picture whose file is gone from the media store takes its slot with it."""
    make_article(title="Lead story", featured=True)
    make_article(title="Picture lost", image=make_image(), source=make_source(name="Lost"))
    page = _open(browser, live_server.url, "/", DESKTOP)
    page.wait_for_load_state("networkidle")
    broken = page.evaluate(
        "[...document.images].filter(i => i.complete && i.naturalWidth === 0).length"
    )
    assert broken == 0
    card = page.locator("article.card", has_text="Picture lost")
    assert "no-image" in (card.get_attribute("class") or "")
    assert card.locator("img").count() == 0
