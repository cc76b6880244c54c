"""Public pages of the news site; each view asks ``queries`` and renders one template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import InvalidPage, Page
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from newsdesk.comments.templatetags.comments_tags import (
    has_comments_expression,
    load_comment_counts,
)
from newsdesk.core.dates import was_updated
from newsdesk.core.languages import language_name
from newsdesk.core.pages import current_generation
from newsdesk.core.text import is_foreign_language
from newsdesk.hits.popular import readers_by_story
from newsdesk.hits.views import article_view_count_expression
from newsdesk.ingest.images import rewrite_images
from newsdesk.site import paging, queries
from newsdesk.site.context_processors import nav_categories
from newsdesk.site.links import absolute_url
from newsdesk.site.paging import LookaheadPaginator
from newsdesk.site.search import Order, SearchPage, clean_query, search_articles
from newsdesk.sources.models import Category, Editor, Source
from newsdesk.stories.models import Article, Story
from newsdesk.stories.queries import attach_cards, coverage, timeline

PER_PAGE = 20
# Search pages go no deeper: each page further costs the database more to skip.
MAX_SEARCH_PAGE = 250


def paginate(request: HttpRequest, listing: paging.OrderedListing) -> Page:
    """Return the requested page of ``listing``; a bad or out-of-range page is a 404.

    Listings (Latest News, categories, editors: every article) page without
    counting the whole listing (site/paging.py).
    """
    paginator = LookaheadPaginator(listing, PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404("No such page") from exc
    attach_cards(page.object_list)
    return page


def category_for_nav(request: HttpRequest, slug: str) -> Category | None:
    """Return the navigation category with ``slug`` (the list is already loaded for the menu)."""
    return next((c for c in nav_categories(request) if c.slug == slug), None)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Lazy: the page's blocks are rendered once per generation (home.html caches the
    # fragment), and a fragment served from the cache never needs them.
    page = SimpleLazyObject(lambda: home_blocks(request))
    return render(request, "site/home.html", {"page": page, "page_kind": "home"})


def home_blocks(request: HttpRequest) -> queries.HomePage:
    """Return the home page's lead, latest and category blocks with their comment counts.

    Asked only when home.html's fragment for this page generation is missing, so
    they are not kept apart: a copy under the same generation would only be read
    by a fragment just rendered from it (and cost a pickling of every card).
    The lead's reader counts (the biggest story) may lag by the fragment's lifetime.
    """
    page = queries.home_page(nav_categories(request))
    load_comment_counts(page.secondary, page.latest, page.blocks)
    return page


@require_safe
def latest(request: HttpRequest) -> HttpResponse:
    # No feed takes more than a third of a page, however often it posts.
    listing = queries.SpreadListing(queries.story_cards(), PER_PAGE)
    page_obj = paginate(request, listing)
    return render(request, "site/latest.html", {"page_obj": page_obj, "page_kind": "latest"})


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    found = category_for_nav(request, slug)
    if found is None:
        raise Http404("No such category")
    listing = queries.ListedIds(queries.story_cards(category=found))
    page_obj = paginate(request, listing)
    context = {"category": found, "page_obj": page_obj, "page_kind": "category"}
    return render(request, "site/category.html", context)


@require_safe
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    person = get_object_or_404(Editor, slug=slug)
    listing = queries.ListedIds(queries.story_cards(editor=person))
    page_obj = paginate(request, listing)
    context = {"editor": person, "page_obj": page_obj, "page_kind": "editor"}
    return render(request, "site/editor.html", context)


def search_page(request: HttpRequest, query: str, order: Order) -> SearchPage:
    """Return the requested page of results; a bad, too deep or empty later page is a 404."""
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError as exc:
        raise Http404("No such page") from exc
    if not 1 <= number <= MAX_SEARCH_PAGE:
        raise Http404("No such page")
    page = search_articles(query, order).page(number, PER_PAGE)
    if number > 1 and not page.hits:
        raise Http404("No such page")
    attach_cards(page.object_list)
    return page


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    order = Order.parse(request.GET.get("sort"))
    page = search_page(request, query, order) if query else None
    context = {"query": query, "order": order.value, "results": page, "page_kind": "search"}
    return render(request, "site/search.html", context)


@require_safe
def article(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item = shown_article(pk)
    canonical = item.get_absolute_url()
    # Compare slugs, not paths: request.path is decoded, reverse() percent-encodes.
    if slug != (item.slug or "article"):
        return redirect(canonical, permanent=True)
    context: dict[str, Any] = {
        "article": item,
        "body_html": shown_body(item),
        # Lazy: read only when the page's cached fragment (article.html) is missing.
        "around": SimpleLazyObject(lambda: around_article(item)),
        "show_updated": was_updated(item.published_at, item.updated_at),
        "foreign_language": is_foreign_language(item.language, settings.NEWSDESK_LANGUAGE),
        "language_label": language_name(item.language) if item.language else "",
        "canonical_url": absolute_url(canonical),
        "page_kind": "article",
    }
    return render(request, "site/article.html", context)


def shown_article(pk: int) -> Article:
    """Return the published article ``pk`` with what its page shows, read once per generation.

    Any edit of the article, its source, category or editor bumps the generation,
    so the stored copy is never behind what the database would answer; a missing
    or hidden article is a 404 and is not stored.
    """
    key = f"site:article:{current_generation()}:{pk}"
    found: Article | None = cache.get(key)
    if found is None:
        # With its story: the page says how many outlets carry it (stories/queries.coverage);
        # with its view count and whether its thread holds anything, each a query less.
        shown = Article.objects.for_listing().select_related("story")
        counted = shown.annotate(
            view_count=article_view_count_expression(), has_comments=has_comments_expression()
        )
        found = get_object_or_404(counted, pk=pk)
        cache.set(key, found, settings.NEWSDESK_PAGE_CACHE_SECONDS)
    return found


def around_article(article: Article) -> dict[str, Any]:
    """Return the article's related stories and coverage.

    Asked only when article.html's fragment for this article and page generation
    is missing (not kept apart, as for ``home_blocks``).
    """
    return {"related": queries.related_articles(article), "coverage": coverage(article)}


def shown_body(article: Article) -> str:
    """Return the stored body, without images for an article whose images were never fetched.

    Articles stored before images were fetched at ingest still name other sites'
    images; never let a reader's browser request them (``newsdesk images refresh``
    fetches them and rewrites the stored body).
    """
    if article.images_checked_at is None and "<img" in article.body_html:
        return rewrite_images(article.body_html, {})
    return article.body_html


@require_safe
def story(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Story, pk=pk)
    entries = timeline(found)
    if not entries:
        raise Http404("No published article in this story")
    outlets = {entry.article.source_id for entry in entries}
    context: dict[str, Any] = {
        "story": found,
        "timeline": entries,
        "first": entries[0],
        "outlet_count": len(outlets),
        "readers": readers_by_story([found.pk]).get(found.pk, 0),
        "canonical_url": absolute_url(found.get_absolute_url()),
        "page_kind": "story",
    }
    return render(request, "site/story.html", context)


@require_safe
def disclaimer(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.filter(active=True).select_related("category")
    return render(request, "site/disclaimer.html", {"sources": sources, "page_kind": "disclaimer"})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute_url(reverse('site:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Send clients asking for /favicon.ico (no link tag read) to the site's icon."""
    return redirect(static("site/favicon.svg"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Render the 404 page with the site's navigation."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page without a request context: the database may be what failed."""
    template = loader.get_template("500.html")
    body = template.render({"site_name": settings.NEWSDESK_SITE_NAME})
    return HttpResponseServerError(body)
