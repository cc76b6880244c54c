"""List items (story cards) written in Python: the markup every list page repeats.

A home page shows about 35 cards and a listing page 20. Drawn by the template
engine (an include per card, a dozen variable lookups each, the date and story
lines) they took most of a page's render time; written here with one
``format_html`` per card they cost a few hundredths of a millisecond each. The
markup is the same the templates wrote (``tests/site/test_cards.py`` holds it
to a template copy); pages call these through ``site_tags``
(``{% story_item %}``, ``{% story_sources %}``, ``{% shown_time %}``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from django.template.defaultfilters import truncatewords
from django.utils.safestring import SafeString

from newsdesk.core import dates
from newsdesk.core.paths import site_path
from newsdesk.site.templatetags.image_tags import article_image
from newsdesk.stories.models import Article
from newsdesk.stories.queries import StoryCard

EMPTY = SafeString("")
RELATIVE_ATTR = SafeString(" data-relative")
# Words of a summary a full-size list item shows.
SUMMARY_WORDS = 45

CARD_HTML = (
    '\n<article class="story {}">\n'
    "  {}\n"
    '  <div class="story-text">\n'
    '    <h{} class="story-title"><a href="{}">{}</a></h{}>\n'
    '    <p class="story-meta"><span class="story-source">{}</span> '
    '<span aria-hidden="true">·</span> {}{}</p>\n'
    "    {}\n"
    "    {}\n"
    "  </div>\n"
    "</article>\n"
)


def format_html(format_string: str, *args: Any) -> SafeString:
    """Django's ``format_html`` for cards: the same escaping, without its lazy wrappers.

    ``django.utils.html.format_html`` escapes each value through ``keep_lazy``
    wrappers and a translation-aware ``escape``; a home page's 57 cards spent
    about half their time there. Values with ``__html__`` (safe strings) go in as
    they are, everything else through ``html.escape`` as ``escape`` does.
    """
    return SafeString(format_string.format(*(_escaped(value) for value in args)))


def _escaped(value: Any) -> str:
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def plural(count: int) -> str:
    """Return "s" unless ``count`` is one (Django's ``pluralize``)."""
    return "" if count == 1 else "s"


def time_tag(value: datetime | None, day_only: bool = False) -> SafeString:
    """Return ``<time>`` for a list: "3 h ago" within a day, else the date; full date as title.

    ``data-relative`` lets site/site.js keep "3 h ago" true on a cached page.
    """
    if value is None:
        return EMPTY
    shown = dates.show_time(value, day_only=day_only)
    return format_html(
        '<time datetime="{}" title="{}"{}>{}</time>',
        machine_time(value, day_only),
        shown.full,
        RELATIVE_ATTR if shown.relative else EMPTY,
        shown.text,
    )


def machine_time(value: datetime, day_only: bool = False) -> str:
    """The ``datetime`` attribute: "2024-03-05" for a day-only date, else ISO 8601 with offset."""
    if day_only:
        return value.astimezone(UTC).date().isoformat()
    return dates.to_site_zone(value).isoformat(timespec="minutes")


def story_sources(card: StoryCard | None) -> SafeString:
    """Return the "+2 sources: A, B" line of an article whose story other outlets carry."""
    if card is None:
        return EMPTY
    more = card.more
    hidden = card.hidden_count
    return format_html(
        '<p class="story-sources"><a href="{}">+{} source{}</a>: {}{}</p>',
        site_path("site:story", pk=card.story_id),
        more,
        plural(more),
        ", ".join(card.shown_names),
        format_html(" and {} more", hidden) if hidden else EMPTY,
    )


def story_item(item: Article, compact: Any = False, level: Any = None) -> SafeString:
    """Return one list item: thumbnail, title, source, time, comments, story line, summary.

    ``compact`` items (article sidebars, the rest of a home category box) show
    a small thumbnail and no summary; ``level`` is the title's heading level (3).
    """
    url = item.get_absolute_url()
    image_id = item.image_id
    thumb = (
        format_html(
            '<a class="story-thumb" href="{}" tabindex="-1" aria-hidden="true">{}</a>',
            url,
            article_image(item, "compact" if compact else "card"),
        )
        if image_id
        else EMPTY
    )
    comments: int = getattr(item, "comment_count", 0) or 0
    comment_link = (
        format_html(
            ' <span aria-hidden="true">·</span> '
            '<a class="story-comments" href="{}#comments">{} comment{}</a>',
            url,
            comments,
            plural(comments),
        )
        if comments
        else EMPTY
    )
    summary = (
        format_html('<p class="story-summary">{}</p>', truncatewords(item.summary, SUMMARY_WORDS))
        if item.summary and not compact
        else EMPTY
    )
    heading = level or 3
    return format_html(
        CARD_HTML,
        "has-image" if image_id else "no-image",
        thumb,
        heading,
        url,
        item.title,
        heading,
        item.source.name,
        time_tag(item.published_at, item.published_day_only),
        comment_link,
        story_sources(getattr(item, "story_card", None)),
        summary,
    )
