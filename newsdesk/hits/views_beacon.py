"""The beacon: pages served from a reverse-proxy cache report their view with one small POST."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsdesk.hits.models import PageKind
from newsdesk.hits.recorder import Page, page_for, record_view
from newsdesk.sources.models import Category, Editor
from newsdesk.stories.models import Article

MAX_BODY = 4096
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# CSRF-exempt because sendBeacon cannot carry a token; same-origin is checked instead.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def beacon(request: HttpRequest) -> HttpResponse:
    """Record a view of the page named in the request (POST JSON {p, r}, or GET ?p=&r=)."""
    enabled = settings.NEWSDESK_HITS_ENABLED and settings.NEWSDESK_HITS_BEACON
    if enabled and is_same_origin(request):
        path, referrer = _payload(request)
        page = countable_page(path)
        if page is not None:
            # The page request was filtered already if it came from a robot.
            record_view(request, page, referrer, count_filtered=False)
    if request.method == "GET":
        response = HttpResponse(PIXEL, content_type="image/gif")
    else:
        response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def is_same_origin(request: HttpRequest) -> bool:
    """Accept only requests sent by our own pages (Origin, else Referer, names our host)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not origin or origin == "null":
        return False
    try:
        return urlsplit(origin).netloc.lower() == request.get_host().lower()
    except ValueError:
        return False


def _payload(request: HttpRequest) -> tuple[str, str]:
    if request.method == "GET":
        return request.GET.get("p", ""), request.GET.get("r", "")
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return "", ""
    try:
        data = json.loads(body)
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("p", "")), str(data.get("r", ""))


def countable_page(path: str) -> Page | None:
    """Return the page at ``path`` when it is a countable site page that exists."""
    if not path.startswith("/") or path.startswith("//") or len(path) > 500:
        return None  # only a path of this site, never another origin's URL
    path = urlsplit(path).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    page = page_for(match, path)
    if page is None:
        return None
    slug = match.kwargs.get("slug", "")
    article_id = page.article_id or 0
    exists = {
        PageKind.ARTICLE: lambda: Article.objects.published().filter(pk=article_id).exists(),
        PageKind.CATEGORY: lambda: Category.objects.filter(slug=slug).exists(),
        PageKind.EDITOR: lambda: Editor.objects.filter(slug=slug).exists(),
    }.get(page.kind)
    return page if exists is None or exists() else None
