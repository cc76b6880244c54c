"""Render a comment's small Markdown subset to safe HTML.

Two layers: markdown-it (``zero`` preset, raw HTML off) only knows the few
rules enabled below, and nh3 then keeps only their tags, so a bug in either
layer alone cannot let a script through.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

# Paragraphs, emphasis, links, quotes and code; no images, headings, tables or raw HTML.
ENABLED_RULES = [
    "emphasis",
    "link",
    "blockquote",
    "code",
    "fence",
    "backticks",
    "newline",
    "escape",
    "entity",
]
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Bare URLs count as links for the link guard although they are not made clickable.
_URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\bmailto:)\S+", re.IGNORECASE)


def _parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "breaks": True}).enable(ENABLED_RULES)


def render_markdown(source: str) -> str:
    """Return sanitized HTML for a comment body written in the Markdown subset."""
    html = _parser().render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    ).strip()


def count_links(source: str) -> int:
    """Count URLs written in a comment body, linked or bare."""
    return len(_URL_RE.findall(source))
