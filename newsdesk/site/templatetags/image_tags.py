"""``{% article_image article "card" %}``: an article's stored lead picture, or nothing.

The one way templates show an article's picture: an ``<img>`` of the site's own
copies with ``srcset``/``sizes`` for the layout slot (core/media.py SIZES),
``width``/``height`` so the page does not jump while it loads, and the alt
text. An article without a stored picture renders nothing, so a card keeps
its text layout instead of an empty box or a broken-image icon.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html

from newsdesk.core.media import NAME_DIGEST_CHARS, SIZES, rendition_name, rendition_url
from newsdesk.site.links import absolute_url
from newsdesk.stories.models import Article

register = template.Library()

# Slots above the fold load at once; list thumbnails wait until they scroll near.
EAGER_SLOTS = frozenset({"lead", "article", "secondary"})
# Preview cards (og:image, JSON-LD) want a large file.
SHARE_WIDTH = 1024


@register.simple_tag
def article_image(article: Article, slot: str = "card") -> str:
    """Render the ``<img>`` of the article's lead picture for ``slot`` (card, compact, lead...)."""
    if article.image_id is None or slot not in SIZES:
        return ""
    image = article.image
    if image is None:
        return ""
    if slot == "article" and image.digest[:NAME_DIGEST_CHARS] in article.body_html:
        return ""  # The body shows this picture already.
    picture = image.picture(slot)
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async">',
        picture.src,
        picture.srcset,
        picture.sizes,
        picture.width,
        picture.height,
        article.image_alt,
        "eager" if slot in EAGER_SLOTS else "lazy",
    )


@register.simple_tag
def article_image_url(article: Article) -> str:
    """Return the absolute URL of a large copy of the lead picture (for og:image), or ""."""
    image = article.image if article.image_id is not None else None
    if image is None:
        return ""
    widths = sorted(image.widths)
    width = next((w for w in widths if w >= SHARE_WIDTH), widths[-1])
    return absolute_url(rendition_url(rendition_name(image.digest, width, image.extension)))


@register.filter
def own_url(value: str) -> str:
    """Keep a URL only when it is on this site (a path, or under NEWSDESK_SITE_URL).

    A reader's browser must ask no other host: an editor photo entered as another
    site's address is not shown (the monogram stands in).
    """
    url = str(value or "").strip()
    site = str(settings.NEWSDESK_SITE_URL).rstrip("/") + "/"
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return url if url.startswith(site) else ""
