"""The site's URLs plus a bare view, for the page benchmark (``bench.page_server``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path


def bare(request: HttpRequest) -> HttpResponse:
    """Answer with a fixed body: the floor of what any Django page costs here."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
handler404 = "newsdesk.site.views.page_not_found"
handler500 = "newsdesk.site.views.server_error"
