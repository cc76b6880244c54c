"""Template helpers of the public site: dates, short titles, safe links, pagination, JSON-LD."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.utils.html import format_html
from django.utils.safestring import SafeString

from newsdesk.core import dates
from newsdesk.core.languages import language_name
from newsdesk.core.paths import site_path
from newsdesk.core.text import truncate_words_near
from newsdesk.site import cards
from newsdesk.site.links import absolute_url
from newsdesk.site.templatetags.image_tags import article_image_url
from newsdesk.stories.models import Article
from newsdesk.stories.queries import StoryCard

register = template.Library()

# The same escapes as django.utils.html.json_script: nothing in the data can close the tag.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def shown_time(value: datetime | None, day_only: bool = False) -> SafeString:
    """Render ``<time>`` for a list: "3 h ago" within a day, else the date (site/cards.py)."""
    return cards.time_tag(value, bool(day_only))


@register.filter
def machine_time(value: datetime, day_only: bool = False) -> str:
    """The ``datetime`` attribute: "2024-03-05" for a day-only date, else ISO 8601 with offset."""
    return cards.machine_time(value, bool(day_only))


@register.simple_tag
def site_url(name: str, **kwargs: str | int) -> str:
    """Like ``{% url %}`` with keyword arguments, looked up once per process (core/paths.py).

    Every page repeats the same dozen links (home, feeds, search...).
    """
    return site_path(name, **kwargs)


@register.simple_tag
def story_item(item: Article, compact: Any = False, level: Any = None) -> SafeString:
    """Render one list item (site/cards.py): ``{% story_item item compact=True level=2 %}``."""
    return cards.story_item(item, compact, level)


@register.simple_tag
def story_sources(card: StoryCard | None) -> SafeString:
    """Render an item's "+2 sources: A, B" line, or nothing when no other outlet carries it."""
    return cards.story_sources(card)


@register.filter
def full_time(value: datetime, day_only: bool = False) -> str:
    """Return the full date and time, "March 5, 2024, 14:05 CET" (a day-only date: no time)."""
    return dates.full_time(value, day_only=bool(day_only))


@register.filter
def day_text(value: datetime, day_only: bool = False) -> str:
    """Return the day, "March 5, 2024", in the site's zone (as the source gave it if day-only)."""
    return dates.day_text(value, day_only=bool(day_only))


@register.filter
def short_day(value: datetime, day_only: bool = False) -> str:
    """Return the day for narrow screens: "Mar 5, 2024"."""
    return dates.day_text(value, day_only=bool(day_only), short=True)


@register.filter
def clock_time(value: datetime) -> str:
    """Return the time of day in the site's zone, "14:05 CET"."""
    return dates.clock_time(value)


@register.filter
def truncate_near(value: str, limit: int = 60) -> str:
    """Shorten text at a word boundary near ``limit`` characters."""
    return truncate_words_near(str(value), int(limit))


@register.filter
def http_url(value: str) -> str:
    """Keep only http(s) URLs, so a stored ``javascript:`` link never becomes an href."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme in {"http", "https"} else ""


@register.filter
def absolute(path: str) -> str:
    """Turn a site path into an absolute URL on NEWSDESK_SITE_URL."""
    return absolute_url(str(path))


@register.filter(name="language_name")
def language_name_filter(code: str) -> str:
    return language_name(str(code))


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, number: int) -> str:
    """Return the query string for page ``number``, keeping the other parameters (``q``)."""
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return "?" + str(query.urlencode())


@register.simple_tag
def elided_pages(page_obj: Page) -> list[int | str]:
    """Return page numbers around the current page, with ellipses for the gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number))


def json_ld(data: dict[str, Any]) -> SafeString:
    """Render ``data`` as a JSON-LD script element, escaped for HTML."""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(payload))


@register.simple_tag
def article_json_ld(article: Article, canonical_url: str) -> SafeString:
    """Describe an article as a schema.org NewsArticle."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": truncate_words_near(article.title, 110),
        "mainEntityOfPage": canonical_url,
        "url": canonical_url,
        "datePublished": article.published_at.isoformat(),
        "dateModified": (article.updated_at or article.published_at).isoformat(),
        "publisher": {"@type": "Organization", "name": str(settings.NEWSDESK_SITE_NAME)},
        "sourceOrganization": {"@type": "Organization", "name": article.source.name},
    }
    if http_url(article.url):
        data["isBasedOn"] = article.url
    if article.summary:
        data["description"] = article.summary
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    if image := article_image_url(article):
        data["image"] = [image]
    if article.language:
        data["inLanguage"] = article.language
    if article.source.category is not None:
        data["articleSection"] = article.source.category.name
    return json_ld(data)
