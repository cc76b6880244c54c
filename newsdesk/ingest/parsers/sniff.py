"""Guess what kind of document a response body is, from its first bytes."""

from __future__ import annotations

import codecs
import re
from typing import Literal

DocumentKind = Literal["empty", "json", "html", "feed", "xml", "unknown"]

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml"} | JSON_TYPES
)
# Root elements of RSS 0.9x/2.0, Atom 0.3/1.0, RSS 1.0 (RDF) and CDF documents.
FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})

_SNIFF_BYTES = 4096
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Prolog items that may come before the root element: declarations, PIs, comments, doctype.
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.I
)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")


def media_type(content_type: str) -> str:
    """Return the lower-case media type of a Content-Type value, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def head_text(content: bytes) -> str:
    """Decode the start of a body well enough to look at its markup."""
    head = content[:_SNIFF_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    if b"\x00" in head[:4]:
        # UTF-16/32 without a BOM: the ASCII markup survives once the NULs are gone.
        head = head.replace(b"\x00", b"")
    return head.decode("latin-1")


def root_element(text: str) -> str:
    """Return the lower-case local name of the first element, or "" if there is none."""
    position = 0
    while match := _PROLOG.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    root = _ROOT.match(text, position)
    if not root:
        return ""
    return root.group(1).rsplit(":", 1)[-1].lower()


def document_kind(content: bytes, content_type: str = "") -> DocumentKind:
    """Classify a body as empty, JSON, an HTML page, a feed, other XML, or unknown."""
    text = head_text(content).lstrip()
    if not text:
        return "empty"
    if text.startswith("{") or (media_type(content_type) in JSON_TYPES and text[0] in "[{"):
        return "json"
    if re.match(r"<!DOCTYPE\s+html", text, re.I):
        return "html"
    root = root_element(text)
    if root == "html":
        return "html"
    if root in FEED_ROOTS:
        return "feed"
    return "xml" if root else "unknown"
