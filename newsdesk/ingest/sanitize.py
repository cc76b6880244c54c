"""Make third-party HTML safe to show on our pages, and derive plain text from it.

Every article body, summary and title that came from a feed or a page passes
through here before it is stored. nh3 (ammonia) parses the fragment as a
browser would and keeps only an explicit allowlist: anything not listed -
scripts, styles, frames, plug-ins, SVG, MathML, forms, event handlers, style
attributes, and URLs with a scheme other than http, https or mailto - is gone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

import nh3

from newsdesk.core.text import clean_text
from newsdesk.core.urls import is_http_url

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "a", "em", "strong", "b", "i", "u", "s", "sup", "sub",
        "abbr", "time", "blockquote", "q", "cite", "code", "pre",
        "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "figure", "figcaption", "img",
        "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    }
)  # fmt: skip

# Dropped together with everything inside them: their content is code, or a
# fallback that would show as stray text once the element is gone.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "svg", "math", "form", "button", "select", "textarea", "noscript", "noembed",
        "noframes", "template", "title", "head",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "time": {"datetime"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"

# nh3 serialises an allowed attribute-less <h1> exactly like this.
_H1 = re.compile(r"<(/?)h1>")


def sanitize_html(html: str, *, base_url: str) -> str:
    """Return ``html`` reduced to the allowlist, with absolute URLs and safe links."""
    # Drop control characters and lone surrogates first: nh3 cannot even take
    # a surrogate (it is not UTF-8), and neither belongs in a page.
    base = clean_text(base_url)
    try:
        cleaner = _cleaner(base if is_http_url(base) else "")
    except ValueError:
        cleaner = _cleaner("")  # a base nh3 cannot parse: drop relative URLs instead
    cleaned: str = cleaner.clean(clean_text(html))
    # The page title is the site's own <h1>; demote a body <h1> to keep one per page.
    return _H1.sub(r"<\1h2>", cleaned).strip()


@lru_cache(maxsize=64)
def _cleaner(base_url: str) -> nh3.Cleaner:
    # Without a base, a relative URL would point into our own site: drop it.
    relative: tuple[Literal["rewrite_with_base"], str] | Literal["deny"] = (
        ("rewrite_with_base", base_url) if base_url else "deny"
    )
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        url_relative=relative,
        link_rel=LINK_REL,
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        strip_comments=True,
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Keep sizes numeric: a "100%" or "auto" width breaks the layout, never security.
    if attribute in {"width", "height", "colspan", "rowspan", "start"}:
        value = value.strip()
        return value if value.isdigit() and len(value) <= 5 else None
    return value
