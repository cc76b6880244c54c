"""Turn a fetched feed document into a ParsedFeed.

RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 go through feedparser (feeds.py); JSON Feed
1.0/1.1, which feedparser 6.0 cannot read, through jsonfeed.py. Anything that
is not a feed raises ParseError.
"""

from __future__ import annotations

from newsdesk.ingest.decoding import decode_capped
from newsdesk.ingest.errors import FetchError, ParseError
from newsdesk.ingest.parsers.feeds import parse_xml_feed
from newsdesk.ingest.parsers.jsonfeed import parse_json_feed
from newsdesk.ingest.parsers.sniff import document_kind
from newsdesk.ingest.types import ParsedFeed

__all__ = ["parse_feed"]

_GZIP_MAGIC = b"\x1f\x8b"
# A decompressed feed larger than this is refused, so a small gzip bomb stays small.
_MAX_GUNZIPPED_BYTES = 32 * 1024 * 1024


def parse_feed(content: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a feed body fetched from url (content_type is the full header, charset included)."""
    content = _gunzipped(content)
    kind = document_kind(content, content_type)
    if kind == "empty":
        raise ParseError("not a feed: the document is empty")
    if kind == "html":
        raise ParseError("not a feed: the document is an HTML page")
    if kind == "json":
        return parse_json_feed(content, url=url)
    return parse_xml_feed(content, url=url, content_type=content_type)


def _gunzipped(content: bytes) -> bytes:
    """Decompress a body that is a .gz file served without Content-Encoding."""
    if not content.startswith(_GZIP_MAGIC):
        return content
    try:
        return decode_capped(content, "gzip", _MAX_GUNZIPPED_BYTES)
    except FetchError as error:  # corrupt, or past the cap
        raise ParseError(f"not a feed: gzip body: {error}") from error
