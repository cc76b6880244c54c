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

The middleware sits early in the stack, below the ones that guard or decorate
every response (proxy headers, HTTPS, static files, gzip, security headers) and
above session, CSRF, auth, messages and URL resolution: a hit costs one key, one
cache read and the view count, nothing else. The key is built from the request
as received, so no resolution is needed to find a page; only a page rendered
for a resolved public URL, on a host Django accepted, is ever stored under it.
The stored entry names the page it shows, so a hit counts the reader's view
exactly as ``HitMiddleware`` counts a rendered page (which a hit never reaches).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from newsdesk.core.clients import may_be_signed_in
from newsdesk.core.pages import current_generation
from newsdesk.hits.recorder import Page, count_page_view, page_for

# URL names of the "site" namespace whose pages are cached (search is not: its
# queries are endless and rarely repeated).
CACHED_PAGES = frozenset({"home", "latest", "category", "article", "editor", "story"})
# Cookies that may change what a page shows to the one reader holding them.
PERSONAL_COOKIE_PREFIXES = ("nd_comment_",)
MESSAGES_COOKIE = CookieStorage.cookie_name
STATUS_HEADER = "X-Page-Cache"
# Response headers never replayed from the cache: set per response by outer middleware.
_SKIPPED_HEADERS = frozenset({"set-cookie", "vary", "content-length"})
# Where HttpRequest.get_host() finds the host, by USE_X_FORWARDED_HOST and the headers sent.
_HOST_SOURCES = ("HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")

# What the cache holds for one page: body, headers, and the page to count on a hit.
StoredPage = tuple[bytes, tuple[tuple[str, str], ...], Page | None]


def is_personal(request: HttpRequest) -> bool:
    """Tell whether the request carries anything that may make its page this reader's own."""
    if not request.COOKIES:
        return False
    if may_be_signed_in(request) or MESSAGES_COOKIE in request.COOKIES:
        return True
    return any(name.startswith(PERSONAL_COOKIE_PREFIXES) for name in request.COOKIES)


def page_key(request: HttpRequest) -> str | None:
    """Return the cache key of the page ``request`` may be answered with, or None.

    None when the page cache is off, for methods other than GET and HEAD, and
    for a request carrying a reader's own state. The key is the scheme, the host
    headers as received (Django validates one of them) and the path with its query.
    """
    if not settings.NEWSDESK_PAGE_CACHE or settings.NEWSDESK_PAGE_CACHE_SECONDS <= 0:
        return None
    if request.method not in ("GET", "HEAD") or is_personal(request):
        return None
    meta = request.META
    # Every header Django may take the host from (which one depends on settings),
    # as received: the same request always gives the same key.
    hosts = (meta.get(name, "") for name in _HOST_SOURCES)
    url = f"{request.scheme}://{' '.join(hosts)}{request.path}?{meta.get('QUERY_STRING', '')}"
    digest = hashlib.blake2b(url.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return f"pages:{current_generation()}:{digest}"


def is_cached_page(request: HttpRequest) -> bool:
    """Tell whether the request was resolved to one of the public pages kept in the cache."""
    match = request.resolver_match
    return match is not None and match.namespace == "site" and match.url_name in CACHED_PAGES


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


def _accepted_host(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def stored_page(request: HttpRequest, response: HttpResponse) -> StoredPage:
    """Return what the cache keeps of a rendered page."""
    headers = tuple((k, v) for k, v in response.items() if k.lower() not in _SKIPPED_HEADERS)
    return response.content, headers, page_for(request.resolver_match, request.path)


def answer(request: HttpRequest, stored: StoredPage) -> HttpResponse:
    """Build the response of a cache hit and count the reader's view."""
    content, headers, page = stored
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(content))
    response[STATUS_HEADER] = "hit"
    if page is not None:
        count_page_view(request, page)  # the key holds the path: the page is this one
    return response


class PageCacheMiddleware:
    """Answer shared public pages from the cache; store the ones rendered for nobody."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = page_key(request)
        if key is not None:
            stored: StoredPage | None = cache.get(key)
            if stored is not None:
                return answer(request, stored)
        response = self.get_response(request)
        if (
            key is not None
            and request.method == "GET"
            and is_cached_page(request)
            and storable(request, response)
            and _accepted_host(request)
        ):
            assert isinstance(response, HttpResponse)
            cache.set(key, stored_page(request, response), settings.NEWSDESK_PAGE_CACHE_SECONDS)
            response[STATUS_HEADER] = "miss"
        return response
