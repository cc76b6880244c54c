"""Count page views on the way out, after the page is built; never fail a response."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from newsdesk.hits.recorder import install_shutdown_hooks, page_for, record_view

logger = logging.getLogger(__name__)

COUNTED_METHODS = ("GET", "HEAD")  # HEAD is only counted as filtered


class HitMiddleware:
    """Record a view for every 200 answer to a GET of a countable site page.

    Errors, redirects and 304s are not views. In beacon mode
    (NEWSDESK_HITS_BEACON) a reverse-proxy cache may answer instead of us, so
    readers are counted by the beacon the page sends; here only filtered
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
                    record_view(request, page, count_views=not settings.NEWSDESK_HITS_BEACON)
        except Exception:
            logger.exception("hit middleware failed", extra={"path": request.path})
        return response
