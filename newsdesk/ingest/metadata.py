"""Read an article page's metadata: title, author, dates, lead image, language, canonical URL.

trafilatura's metadata helpers read meta tags, OpenGraph and JSON-LD; htmldate
finds the publication date. Only the pieces an article needs are run, and
htmldate without its "extensive" search: that search parses free text with
dateparser and costs more than the whole body extraction, for few extra dates
(the corpus report shows the date accuracy either way). The author comes from
meta tags and JSON-LD, then byline markup, then trafilatura's author XPaths.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_title,
    normalize_authors,
)

from newsdesk.core.languages import normalize_language
from newsdesk.core.text import plain_text
from newsdesk.core.urls import absolute_http_url
from newsdesk.ingest.dates import is_day_only

logger = logging.getLogger(__name__)

_PUBLISHED_KEYS = ("article:published_time", "og:article:published_time", "datepublished")
_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified")
_LANGUAGE_KEYS = ("content-language", "og:locale")
# Each selects the elements whose attribute passes a test as the attribute's
# parent: the same elements in the same order as '//*[@itemprop="author"]...',
# for a third less (libxml2 then walks attributes, not every element's).
_BYLINE_XPATHS = tuple(
    etree.XPath(xpath)
    for xpath in (
        '//@itemprop[. = "author"]/..//*[@itemprop="name"]',
        '//@rel[. = "author"]/..',
        '//a/@href[contains(., "/author/")]/..',
        '//@class[contains(., "byline")]/..//a',
        '//@class[contains(., "byline") or contains(., "author-name")]/..',
        '//@itemprop[. = "author"]/..',
    )
)
_BY = re.compile(r"^(by|von|par|por|di|door)\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_JSON_LD = '//script[@type="application/ld+json"]/text()'
_JSON_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')
_JSON_LD_MODIFIED = re.compile(r'"dateModified"\s*:\s*"([^"]{10,40})"')


@dataclass(frozen=True)
class PageMetadata:
    """What a page says about itself."""

    title: str = ""
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    image_url: str = ""
    language: str = ""
    canonical_url: str = ""
    description: str = ""
    published_day_only: bool = False


def read_metadata(tree: HtmlElement, *, base: str) -> PageMetadata:
    """Return the page's metadata; a field the page does not state is left empty."""
    try:
        found = extract_meta_json(tree, examine_meta(tree))
        title = found.title or extract_title(tree) or ""
        author = found.author if found.author and " " in found.author else None
        author = author or _author(tree)
    except Exception as error:
        # Hostile meta tags or JSON-LD must cost the metadata, not the article.
        logger.info("metadata failed", extra={"error": type(error).__name__})
        return PageMetadata(language=declared_language(tree, _meta_values(tree)))
    metas = _meta_values(tree)
    canonical = canonical_url(tree, base, metas)
    published, day_only = _published(tree, metas, canonical or base)
    return PageMetadata(
        title=plain_text(title),
        author=plain_text(author),
        published=published,
        published_day_only=day_only,
        updated=_updated(tree, metas, published),
        image_url=absolute_http_url(found.image or "", base),
        language=declared_language(tree, metas),
        canonical_url=canonical,
        description=plain_text(found.description or ""),
    )


def _author(tree: HtmlElement) -> str:
    """The author named in the page's byline markup, cheapest search first."""
    # trafilatura's author XPaths (class and id patterns of author boxes)
    # only for pages whose byline markup named no one. Its own extract_author
    # first prunes a deep copy of the page, which tripled the cost of the
    # metadata for no gain on the corpus's development part.
    if found := _byline(tree):
        return found
    named = author_box_text(tree, len_limit=120)
    return normalize_authors(None, named) or "" if named else ""


# trafilatura's three AUTHOR_XPATHS (trafilatura/xpaths.py), most specific
# first, as tests on one element. Run as XPath their ``re:test`` calls back into
# Python for every element with a class or id: 16 ms a page, a third of the
# metadata's cost. One walk over the tree with the same tests finds the same
# elements in the same order.
_AUTHOR_TAGS_1 = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_AUTHOR_CLASS_1 = re.compile(r"author-?name|AuthorName|authorName")
_AUTHOR_TAGS_2 = frozenset({"a", "div", "h3", "h4", "p", "span"})
_AUTHOR_CLASSES_2 = frozenset({"byline", "username", "byl", "BBL"})
_AUTHOR_ID_2 = re.compile(r"author|zuozhe|bianji|xiaobian")
_AUTHOR_CLASS_2 = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_AUTHOR_ID_3 = re.compile(r"[Aa]uthor")
_AUTHOR_CLASS_3 = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
# Every test above needs one of these attributes to hold one of these words.
_AUTHOR_ATTRIBUTES = ("class", "id", "rel", "itemprop", "data-testid", "data-component")
_AUTHOR_HINT = re.compile(
    r"uthor|yline|byl|BBL|username|zuozhe|bianji|xiaobian|channel-name|submitted-by"
    r"|posted-by|journalist-name|screenname|writer"
)
# The elements worth testing, found without Python callbacks (as the parents of
# their attributes, as in _BYLINE_XPATHS).
_AUTHOR_CANDIDATES = etree.XPath(
    "//@class/.. | //@id/.. | //@rel/.. | //@itemprop/.. | //@data-testid/.."
    " | //@data-component/.. | //author"
)


def author_box_text(tree: HtmlElement, len_limit: int = 200) -> str:
    """The text of the first author box trafilatura's author XPaths would pick.

    Same result as ``extract_metainfo(tree, AUTHOR_XPATHS, len_limit)``: the
    first element, by expression and then in document order, whose text is
    3 to ``len_limit`` characters long.
    """
    found: tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]] = ([], [], [])
    for element in _AUTHOR_CANDIDATES(tree):
        tag = element.tag
        if tag == "author":
            found[0].append(element)
            continue
        values = " ".join([element.get(name) or "" for name in _AUTHOR_ATTRIBUTES])
        if not _AUTHOR_HINT.search(values):
            continue
        for index, test in enumerate((_author_box_1, _author_box_2, _author_box_3)):
            if test(tag, element.attrib):
                found[index].append(element)
    for elements in found:
        for element in elements:
            content = " ".join(" ".join(element.itertext()).split())
            if 2 < len(content) < len_limit:
                return content
    return ""


def _author_box_1(tag: str, attrib: Any) -> bool:
    if tag not in _AUTHOR_TAGS_1:
        return False
    css = attrib.get("class", "")
    return (
        attrib.get("rel") == "author"
        or attrib.get("id") == "author"
        or css == "author"
        or attrib.get("itemprop") == "author name"
        or attrib.get("data-testid") in {"AuthorCard", "AuthorURL"}
        or bool(css and _AUTHOR_CLASS_1.search(css))
    )


def _author_box_2(tag: str, attrib: Any) -> bool:
    if tag not in _AUTHOR_TAGS_2:
        return False
    css, ident = attrib.get("class", ""), attrib.get("id", "")
    return (
        css in _AUTHOR_CLASSES_2
        or "author" in attrib.get("itemprop", "")
        or bool(ident and _AUTHOR_ID_2.search(ident))
        or bool(css and _AUTHOR_CLASS_2.search(css))
    )


def _author_box_3(tag: str, attrib: Any) -> bool:
    css, ident = attrib.get("class", ""), attrib.get("id", "")
    return (
        "Byline" in attrib.get("data-component", "")
        or "author" in attrib.get("itemprop", "")
        or bool(ident and _AUTHOR_ID_3.search(ident))
        or bool(css and _AUTHOR_CLASS_3.search(css))
    )


def _byline(tree: HtmlElement) -> str:
    """The author named in the page's byline markup.

    trafilatura's own search runs dozens of class tests over a pruned copy of the
    page and costs more than the body extraction; the markup that names authors
    (rel=author, schema.org, byline and author classes) is found far cheaper.
    """
    for xpath in _BYLINE_XPATHS:
        result: Any = xpath(tree)
        for element in result if isinstance(result, list) else []:
            text = (
                _SPACES.sub(" ", element.text_content()).strip()
                if hasattr(element, "text_content")
                else ""
            )
            text = _BY.sub("", text).strip(" ,|-")
            if 2 < len(text) < 80 and not any(ch.isdigit() for ch in text):
                return normalize_authors(None, text) or ""
    return ""


def declared_language(tree: HtmlElement, metas: dict[str, str]) -> str:
    """The language the page declares (html lang, Content-Language, og:locale)."""
    root = tree.getroottree().getroot()
    declared = str(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    declared = declared.strip() or next((metas[k] for k in _LANGUAGE_KEYS if k in metas), "")
    return normalize_language(declared)


def canonical_url(tree: HtmlElement, base: str, metas: dict[str, str] | None = None) -> str:
    href = next(
        (
            str(link.get("href") or "").strip()
            for link in tree.iter("link")
            if str(link.get("rel") or "").strip().lower() == "canonical" and link.get("href")
        ),
        "",
    )
    if not href:
        href = (metas if metas is not None else _meta_values(tree)).get("og:url", "")
    return absolute_http_url(href, base)


def _meta_values(tree: HtmlElement) -> dict[str, str]:
    """Every meta tag's content by its property, name, itemprop or http-equiv (first wins)."""
    values: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = str(meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = str(meta.get(attribute) or "").strip().lower()
            if key:
                values.setdefault(key, content)
    for element in _ITEMPROP_DATETIMES(tree):
        values.setdefault(str(element.get("itemprop")).lower(), str(element.get("datetime")))
    return values


# Elements with both an itemprop and a datetime (see _BYLINE_XPATHS for the form).
_ITEMPROP_DATETIMES = etree.XPath("//@datetime/parent::*[@itemprop]")


def _htmldate(tree: HtmlElement, url: str) -> str:
    try:
        found = find_date(tree, url=url or None, extensive_search=False, original_date=True)
    except Exception:
        return ""
    return found if isinstance(found, str) else ""


def _published(tree: HtmlElement, metas: dict[str, str], url: str) -> tuple[datetime | None, bool]:
    """Return the publication time in UTC, as precise as the page allows, and if it is a day."""
    day = _parse_day(_htmldate(tree, url))
    stated = _stated(metas, _PUBLISHED_KEYS) or _json_ld(tree, _JSON_LD_PUBLISHED)
    precise = _parse_timestamp(stated)
    # Prefer the full timestamp only when it agrees with htmldate's day,
    # which looked harder (and may have rejected a modified-time meta tag).
    if precise is not None and (day is None or precise.date() == day):
        return precise.astimezone(UTC), is_day_only(stated)
    if day is not None:
        return datetime.combine(day, time(), tzinfo=UTC), True
    return None, False


def _updated(
    tree: HtmlElement, metas: dict[str, str], published: datetime | None
) -> datetime | None:
    """The last-modified time the page states, when it is later than publication."""
    stated = _stated(metas, _MODIFIED_KEYS) or _json_ld(tree, _JSON_LD_MODIFIED)
    modified = _parse_timestamp(stated)
    if modified is None or (published is not None and modified <= published):
        return None
    return modified.astimezone(UTC)


def _json_ld(tree: HtmlElement, pattern: re.Pattern[str]) -> str:
    for script in _xpath_strings(tree, _JSON_LD):
        match = pattern.search(script)
        if match:
            return match.group(1)
    return ""


def _stated(metas: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((metas[key] for key in keys if key in metas), "")


def _xpath_strings(tree: HtmlElement, xpath: str) -> list[str]:
    result: Any = tree.xpath(xpath)
    return [str(item) for item in result] if isinstance(result, list) else []


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # A naive time is the publisher's local time; UTC is the least wrong guess.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
