"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from newsdesk.core.dates import site_now
from newsdesk.core.pages import current_generation
from newsdesk.sources.models import Category

_NAV_CACHE_ATTR = "_newsdesk_nav_categories"


def nav_categories(request: HttpRequest) -> list[Category]:
    """Return the categories in navigation order, each with ``article_count``; once per request."""
    found: list[Category] | None = getattr(request, _NAV_CACHE_ATTR, None)
    if found is None:
        found = counted_categories()
        setattr(request, _NAV_CACHE_ATTR, found)
    return found


def counted_categories() -> list[Category]:
    """Return the categories with their published article counts, read once per generation.

    Each source keeps its own count (stories/source_counts.py), so this sums a
    category's few sources, never every article; the page generation changes
    whenever an article is stored, hidden or moved, so the cached list is never
    behind the counts.
    """
    key = f"site:nav:{current_generation()}"
    found: list[Category] | None = cache.get(key)
    if found is None:
        counted = Category.objects.annotate(
            article_count=Coalesce(
                Sum("sources__published_count", filter=Q(sources__active=True)), 0
            )
        )
        # Meta.ordering does not apply to aggregating queries; order explicitly.
        found = list(counted.order_by("order", "name"))
        cache.set(key, found, settings.NEWSDESK_PAGE_CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class DayTexts:
    """A day as the masthead writes it: machine-readable, long and short."""

    iso: str
    long: str
    short: str


@lru_cache(maxsize=16)
def _day_texts(day: date, language: str | None) -> DayTexts:
    return DayTexts(
        iso=date_format(day, "Y-m-d"),
        long=date_format(day, "l, F j, Y"),
        short=date_format(day, "D, M j"),
    )


def day_texts(day: date) -> DayTexts:
    """Return the masthead's texts of ``day`` (as the ``date`` filter writes them), once a day."""
    return _day_texts(day, get_language())


def site(request: HttpRequest) -> dict[str, Any]:
    """Expose the site name, zone, disclaimer, today's date and the category list."""
    today = site_now()
    return {
        "site_name": settings.NEWSDESK_SITE_NAME,
        "site_language": settings.NEWSDESK_LANGUAGE,
        "site_disclaimer": settings.NEWSDESK_DISCLAIMER,
        "site_today": today,
        "site_today_texts": day_texts(today.date()),
        # Lazy so pages that never show the navigation never query it.
        "nav_categories": SimpleLazyObject(lambda: nav_categories(request)),
        # For {% cache %} fragments: retired with the pages when what they show changes.
        "page_generation": SimpleLazyObject(current_generation),
        "page_cache_seconds": settings.NEWSDESK_PAGE_CACHE_SECONDS,
    }
