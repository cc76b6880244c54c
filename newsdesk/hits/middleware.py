"""Count page views on the way out, after the page is built; never fail a response."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from newsdesk.hits.recorder import count_page_view, install_shutdown_hooks, page_for

logger = logging.getLogger(__name__)

COUNTED_METHODS = ("GET", "HEAD")  # HEAD is only counted as filtered


class HitMiddleware:
    """Record a view for every 200 answer to a GET of a countable site page.

    Errors, redirects and 304s are not views. A page answered by the page
    cache (``newsdesk.site.pagecache``, outside this middleware) is counted
    there, by the same ``count_page_view``. In beacon mode only filtered
    requests are counted, which the beacon then skips, so nothing counts twice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        if not getattr(settings, "TESTING", False):
            install_shutdown_hooks()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        try:
            if response.status_code == 200 and request.method in COUNTED_METHODS:
                page = page_for(request.resolver_match, request.path)
                if page is not None:
                    count_page_view(request, page)
        except Exception:
            logger.exception("hit middleware failed", extra={"path": request.path})
        return response
