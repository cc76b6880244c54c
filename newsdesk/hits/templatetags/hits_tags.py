"""Template tags that show hit counts: Most Popular, article views, the site counter."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from newsdesk.hits.popular import WINDOW_LABELS, most_popular, resolve_window
from newsdesk.hits.views import article_view_count, site_view_count
from newsdesk.stories.models import Article

register = template.Library()

SITE_HITS_KEY = "hits:site-hits"


# Templates write `{% most_popular %}`; the Python name avoids shadowing the query.
@register.inclusion_tag("hits/_most_popular.html", takes_context=True, name="most_popular")
def most_popular_widget(context: template.Context, limit: int = 5) -> dict[str, Any]:
    """Render the Most Popular list; ``?popular=7d`` switches the window without JS."""
    request = context.get("request")
    chosen = request.GET.get("popular") if request is not None else None
    window = resolve_window(chosen)
    return {
        "popular": most_popular(window, limit),
        "window": window,
        "window_label": WINDOW_LABELS[window],
        "windows": list(WINDOW_LABELS.items()),
    }


@register.inclusion_tag("hits/_article_views.html")
def article_views(article: Article) -> dict[str, Any]:
    """Render an article's all-time human view count (read with the article when it was)."""
    views = getattr(article, "view_count", None)
    return {"views": article_view_count(article.pk) if views is None else views}


@register.simple_tag
def site_hits() -> str:
    """Render the header's site-wide hit counter, read and drawn at most once per cache lifetime."""
    key = f"{SITE_HITS_KEY}:{get_language()}"  # intcomma writes the language's separators
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string("hits/_site_hits.html", {"views": site_view_count()})
        cache.set(key, html, settings.NEWSDESK_PAGE_CACHE_SECONDS)
    return mark_safe(html)  # the autoescaped counter template's output
