"""OPML import and export of sources (OPML 2.0, http://opml.org/spec2.opml).

A subscription list is ``<opml><body>`` with one ``<outline xmlUrl="...">`` per
feed; feeds may sit inside a folder outline, whose text names their category.
Import runs every feed through the same action as `newsdesk add-source`
(ingest/subscribe.py) and reports one line per feed: added, already present
(left as it is, so importing twice changes nothing), or an error with its
reason. Export writes every source under its category.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Literal
from xml.etree import ElementTree
from xml.parsers import expat
from xml.parsers.expat import XMLParserType

from django.utils import timezone

from newsdesk.ingest.fetcher import Fetcher
from newsdesk.ingest.subscribe import AlreadySubscribed, SourceError, SourceOptions, add_source
from newsdesk.sources.models import Source

# Larger than any real subscription list; an upload past it is refused unread.
MAX_OPML_BYTES = 5_000_000


class OpmlError(ValueError):
    """The document is not an OPML subscription list."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline of an OPML document."""

    line: int
    url: str
    title: str = ""
    site_url: str = ""
    category: str = ""


@dataclass(frozen=True)
class ImportLine:
    """What importing one feed outline did."""

    line: int
    url: str
    title: str
    outcome: Literal["added", "present", "error"]
    message: str

    def describe(self) -> str:
        return f"line {self.line}: {self.outcome}: {self.message}"


class _OutlineReader:
    """Collect feed outlines, with line numbers, from expat's element events."""

    def __init__(self, parser: XMLParserType) -> None:
        self.feeds: list[OpmlFeed] = []
        self.root = ""
        self._parser = parser
        self._folders: list[str] = []  # one per open outline: its folder name, or ""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.root = self.root or name
        if name != "outline":
            return
        url = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        label = (attrs.get("title") or attrs.get("text") or "").strip()
        self._folders.append("" if url else label)
        if not url:
            return
        folder = next((f for f in reversed(self._folders) if f), "")
        category = folder or _category_attribute(attrs.get("category") or "")
        site = (attrs.get("htmlUrl") or "").strip()
        line = self._parser.CurrentLineNumber
        self.feeds.append(OpmlFeed(line, url, label, site, category))

    def end(self, name: str) -> None:
        if name == "outline" and self._folders:
            self._folders.pop()


def _refuse_entities(name: str, *args: object) -> None:
    # OPML needs no DTD; refusing every entity declaration rules out entity
    # expansion bombs and external entities (as defusedxml does).
    raise OpmlError(f"entity declarations are not allowed (<!ENTITY {name}>)")


def _category_attribute(value: str) -> str:
    """Take the first category of an OPML ``category`` attribute ("/News/World,/Tech")."""
    first = value.split(",")[0].strip().strip("/")
    return first.split("/")[-1].strip() if first else ""


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Return the feed outlines of an OPML document, in document order."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the file is larger than {MAX_OPML_BYTES} bytes")
    parser = expat.ParserCreate()
    reader = _OutlineReader(parser)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.EntityDeclHandler = _refuse_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise OpmlError(
            f"not well-formed XML: {expat.errors.messages[error.code]} (line {error.lineno})"
        ) from error
    if reader.root != "opml":
        raise OpmlError(f"not an OPML document (its root element is <{reader.root}>)")
    return reader.feeds


def import_opml(data: bytes, *, check: bool = True, category: str = "") -> list[ImportLine]:
    """Add every feed of an OPML document as a source; return one report line per feed.

    ``check`` fetches each new feed first (discovery and validation, as
    add-source does); without it feeds are registered as given and the first
    crawl reports what is wrong with them. ``category`` is used for feeds
    outside any folder.
    """
    report = []
    with Fetcher() as fetcher:
        for feed in parse_opml(data):
            report.append(_import_one(feed, check=check, category=category, fetcher=fetcher))
    return report


def _import_one(feed: OpmlFeed, *, check: bool, category: str, fetcher: Fetcher) -> ImportLine:
    options = SourceOptions(name=feed.title or None, category=feed.category or category or None)
    try:
        subscription = add_source(
            feed.url, options, update_existing=False, check=check, fetcher=fetcher
        )
    except AlreadySubscribed as present:
        name = present.source.name
        return ImportLine(
            feed.line, feed.url, feed.title, "present", f"already the source {name!r}"
        )
    except SourceError as error:
        return ImportLine(feed.line, feed.url, feed.title, "error", str(error))
    source = subscription.source
    return ImportLine(
        feed.line, feed.url, feed.title, "added", f"added {source.name!r} ({source.feed_url})"
    )


def export_opml(sources: Iterable[Source], *, title: str = "Newsdesk sources") -> bytes:
    """Write ``sources`` as an OPML 2.0 subscription list, one folder per category."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(timezone.now())
    body = ElementTree.SubElement(root, "body")
    folders: dict[int, ElementTree.Element] = {}
    ordered = sorted(
        sources,
        key=lambda s: (s.category is not None, s.category.order if s.category else 0, s.name),
    )
    for source in ordered:
        parent = body
        if source.category is not None:
            name = source.category.name
            if source.category.pk not in folders:
                folders[source.category.pk] = ElementTree.SubElement(
                    body, "outline", text=name, title=name
                )
            parent = folders[source.category.pk]
        attributes = {"type": "rss", "text": source.name, "title": source.name}
        attributes["xmlUrl"] = source.feed_url
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
