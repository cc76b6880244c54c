"""Serve public pages to anonymous readers from the cache, keyed by the page generation.

Django's ``CacheMiddleware`` keys pages by URL and a fixed prefix, can only
forget them by expiry, and caches for signed-in users too; here a page's key
holds the page generation (``newsdesk.core.pages``), so a new or changed
article, an approved comment or an edited category or editor retires every
page at once, and ``NEWSDESK_PAGE_CACHE_SECONDS`` bounds how stale the parts no
bump covers (view counts, Most Popular) may get.

A cached body is shared by every reader, so only requests that cannot hold one
reader's state are served from it or stored into it:

* no session cookie (staff and anyone signed in render afresh and are never stored),
  no messages cookie, and no comment edit token (``nd_comment_<id>``): the author
  of a held comment sees it, with its "awaiting moderation" notice and edit links,
  in a page rendered for them alone;
* a page is stored only when its view neither opened the session nor asked for a
  CSRF token, and set no cookie. The comment form carries no token: its script
  fetches one when the reader starts writing (``comments.views.stamp``).

The lookup runs in ``process_view``, after URL resolution and inside
``HitMiddleware``, so a page answered from the cache is counted exactly like a
rendered one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from newsdesk.core.clients import may_be_signed_in
from newsdesk.core.pages import current_generation

# URL names of the "site" namespace whose pages are cached (search is not: its
# queries are endless and rarely repeated).
CACHED_PAGES = frozenset({"home", "latest", "category", "article", "editor", "story"})
# Cookies that may change what a page shows to the one reader holding them.
PERSONAL_COOKIE_PREFIXES = ("nd_comment_",)
MESSAGES_COOKIE = CookieStorage.cookie_name
STATUS_HEADER = "X-Page-Cache"
_KEY_ATTR = "_newsdesk_page_key"
# Response headers never replayed from the cache: set per response by outer middleware.
_SKIPPED_HEADERS = frozenset({"set-cookie", "vary", "content-length"})


def is_personal(request: HttpRequest) -> bool:
    """Tell whether the request carries anything that may make its page this reader's own."""
    if may_be_signed_in(request) or MESSAGES_COOKIE in request.COOKIES:
        return True
    return any(name.startswith(PERSONAL_COOKIE_PREFIXES) for name in request.COOKIES)


def page_key(request: HttpRequest) -> str | None:
    """Return the cache key of the page ``request`` asks for, or None when it is not shared."""
    match = request.resolver_match
    if match is None or match.namespace != "site" or match.url_name not in CACHED_PAGES:
        return None
    if request.method not in ("GET", "HEAD") or is_personal(request):
        return None
    url = request.build_absolute_uri().encode("utf-8", "surrogateescape")
    digest = hashlib.blake2b(url, digest_size=16).hexdigest()
    return f"pages:{current_generation()}:{digest}"


def storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Tell whether a rendered page holds nothing of the reader it was rendered for."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


class PageCacheMiddleware:
    """Answer shared public pages from the cache; store the ones rendered for nobody."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        key: str | None = getattr(request, _KEY_ATTR, None)
        if key is not None and request.method == "GET" and storable(request, response):
            assert isinstance(response, HttpResponse)
            headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS]
            cache.set(key, (response.content, headers), settings.NEWSDESK_PAGE_CACHE_SECONDS)
            response[STATUS_HEADER] = "miss"
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if not settings.NEWSDESK_PAGE_CACHE or settings.NEWSDESK_PAGE_CACHE_SECONDS <= 0:
            return None
        key = page_key(request)
        if key is None:
            return None
        stored = cache.get(key)
        if stored is None:
            setattr(request, _KEY_ATTR, key)
            return None
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response[STATUS_HEADER] = "hit"
        return response
