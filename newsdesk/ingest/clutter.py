"""Take out of a sanitized body what feeds carry that readers should not see.

- Tracking pixels: images of 1x1 or 0x0 pixels (or 0 in either dimension),
  and images from the known tracker addresses in TRACKERS, with any link
  left empty by their removal (FeedBurner's "feedflare" share buttons are
  such links) and any paragraph left empty.
- Feed footers: the paragraph "The post <title> appeared first on <site>."
  that WordPress SEO plugins (Yoast and others) add to every item, in the
  languages those plugins ship, and Medium's "<title> was originally
  published in <publication> on Medium ..." with the rule before it.
- A repeated headline: a body that opens with the article's own title (the
  page's <h1>, demoted to <h2> by sanitize, or the feed title repeated as the
  first heading or paragraph) does not show it a second time under the page
  title.

Works on nh3's output, which is serialized canonically (lower-case tags,
attribute values always in double quotes with quotes escaped), so simple
patterns read it exactly; no second HTML parse is needed.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from newsdesk.core.text import one_line, plain_text

# (host, path prefix): images from these only count or advertise. A host
# matches itself and its subdomains; an empty prefix matches every path.
TRACKERS: tuple[tuple[str, str], ...] = (
    ("feeds.feedburner.com", "/~r/"),  # FeedBurner view pixel
    ("feeds.feedburner.com", "/~ff/"),  # FeedBurner "feedflare" share buttons
    ("feedproxy.google.com", "/~r/"),  # FeedBurner's later host
    ("feedsportal.com", ""),  # Feedsportal pixels and ads
    ("pixel.wp.com", ""),  # WordPress.com stats
    ("stats.wordpress.com", ""),  # WordPress.com stats (older host)
    ("feeds.wordpress.com", "/1.0/"),  # WordPress.com share buttons
    ("medium.com", "/_/stat"),  # Medium read tracking
    ("feedads.g.doubleclick.net", ""),  # FeedBurner ads
    ("ad.doubleclick.net", ""),
    ("feeds.feedblitz.com", "/~/i/"),  # FeedBlitz pixel
    ("google-analytics.com", ""),
    ("pixel.quantserve.com", ""),
    ("sb.scorecardresearch.com", ""),
    ("www.facebook.com", "/tr"),  # Meta pixel
)
# File names that are counters wherever they are served from.
TRACKER_FILES = frozenset(
    {"pixel", "pixel.gif", "pixel.png", "beacon", "beacon.gif", "1x1.gif", "__utm.gif"}
)
# Path segments of counting endpoints: /pixel/…, /beacon/…, /track/open/….
TRACKER_SEGMENTS = frozenset({"pixel", "pixels", "beacon", "beacons"})

FOOTERS = tuple(
    re.compile(pattern, re.IGNORECASE | re.DOTALL)
    for pattern in (
        r"The post .+ (?:appeared first on|first appeared on) .+",
        r"(?:Der Beitrag|Der Artikel) .+ erschien zuerst auf .+",
        r"L[\u2019']article .+ est apparu en premier sur .+",
        r"(?:La entrada|El artículo) .+ se publicó primero en .+",
        r".+ was originally published in .+ on Medium, where people are continuing the"
        r" conversation by highlighting and responding to this story\.?",
    )
)
# A footer is one short paragraph; a long one is the article quoting such a line.
FOOTER_MAX_CHARS = 400
# The phrase every pattern of FOOTERS holds, as it can stand in a sanitized body
# with its tags taken out (plain_text joins a word split by inline tags): a body
# without any has no footer, and its paragraphs need not each be reduced to text.
_GAP = r"(?:\s|&nbsp;)*"
_FOOTER_PHRASE = re.compile(
    "|".join(
        _GAP.join(phrase.split())
        for phrase in (
            "appeared first on",
            "first appeared on",
            "erschien zuerst auf",
            "apparu en premier sur",
            "publicó primero en",
            "originally published in",
        )
    ),
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")

_IMG = re.compile(r'<img\b((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')
_ATTRIBUTE = re.compile(r'([^\s=]+)(?:="([^"]*)")?')
_EMPTY_LINK = re.compile(r'<a\b(?:\s+[^\s=>]+(?:="[^"]*")?)*>(?:\s|&nbsp;|<br>)*</a>')
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")
_PARAGRAPH = re.compile(r"(<hr>\s*)?<p>(.*?)</p>", re.DOTALL)
_FIRST_BLOCK = re.compile(r"\s*<(h[1-6]|p)>(.*?)</\1>\s*", re.DOTALL)
_TRAILING_PUNCTUATION = " .:!|-\u2013\u2014"


def remove_clutter(body_html: str, title: str) -> str:
    """Drop tracking pixels, feed footers and a repeated headline from a sanitized body."""
    cleaned = drop_tracking_images(body_html)
    cleaned = drop_feed_footers(cleaned)
    return drop_repeated_headline(cleaned, title).strip()


def drop_tracking_images(body_html: str) -> str:
    """Remove tracking pixels, then links and paragraphs their removal left empty."""
    if "<img" not in body_html:
        return body_html
    kept = _IMG.sub(lambda match: "" if _is_tracker(match.group(1)) else match.group(0), body_html)
    if kept == body_html:
        return body_html
    return _EMPTY_PARAGRAPH.sub("", _EMPTY_LINK.sub("", kept))


def drop_feed_footers(body_html: str) -> str:
    """Remove paragraphs that are a feed service's footer, and a rule just before one."""

    def replace(match: re.Match[str]) -> str:
        text = plain_text(match.group(2))
        is_footer = len(text) <= FOOTER_MAX_CHARS and any(p.fullmatch(text) for p in FOOTERS)
        return "" if is_footer else match.group(0)

    if "<p>" not in body_html or not _FOOTER_PHRASE.search(_TAG.sub("", body_html)):
        return body_html
    return _PARAGRAPH.sub(replace, body_html)


def drop_repeated_headline(body_html: str, title: str) -> str:
    """Remove the first heading or paragraph when it only repeats ``title``."""
    match = _FIRST_BLOCK.match(body_html)
    if match is None or not title.strip():
        return body_html
    if _comparable(plain_text(match.group(2))) != _comparable(title):
        return body_html
    return body_html[match.end() :]


def drop_repeated_headline_text(body_text: str, title: str) -> str:
    """Remove a first line of plain text that only repeats ``title``."""
    first, _, rest = body_text.lstrip().partition("\n")
    if title.strip() and rest and _comparable(first) == _comparable(title):
        return rest.lstrip("\n")
    return body_text


def _comparable(text: str) -> str:
    return one_line(text).casefold().rstrip(_TRAILING_PUNCTUATION)


def _is_tracker(attributes: str) -> bool:
    values = {
        name.lower(): html.unescape(value or "") for name, value in _ATTRIBUTE.findall(attributes)
    }
    width, height = _pixels(values.get("width")), _pixels(values.get("height"))
    if width == 0 or height == 0:
        return True
    if width is not None and height is not None and width <= 1 and height <= 1:
        return True
    return is_tracker_url(values.get("src", ""))


def is_tracker_url(url: str) -> bool:
    """Tell whether an image URL is a known counter or feed-service button."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    for tracker_host, prefix in TRACKERS:
        if (host == tracker_host or host.endswith("." + tracker_host)) and path.startswith(prefix):
            return True
    segments = [segment.lower() for segment in path.split("/") if segment]
    if segments and segments[-1] in TRACKER_FILES:
        return True
    return any(segment in TRACKER_SEGMENTS for segment in segments[:-1])


def _pixels(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None
