"""Turn the bytes of a web page into text, whatever encoding it was saved in.

Order of evidence, after the WHATWG encoding sniffing algorithm (HTML §13.2.3.2):
a byte order mark, then strict UTF-8, then the charset the server declared,
then a ``<meta charset>`` or XML declaration near the top of the document,
then a statistical guess. The last resort is windows-1252, which decodes any
byte.

UTF-8 comes before the declarations because pages saved or served as UTF-8
while still saying ``iso-8859-1`` are common, and non-ASCII text in a legacy
encoding almost never happens to be valid UTF-8.
"""

from __future__ import annotations

import codecs
import re

# Pages put long <head> scripts before <meta charset>; look further than the
# 1024 bytes of the WHATWG prescan rather than guess.
PRESCAN_BYTES = 16384

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

# WHATWG Encoding §4.2 maps these labels to windows-1252, which browsers use.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-sjis": "shift_jis",
}


def decode_html(content: bytes, declared: str = "") -> str:
    """Decode an HTML document, given the charset from HTTP headers if known."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (declared, sniff_charset(content)):
        encoding = _codec(label)
        if encoding:
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    guess = _guess(content)
    return content.decode(guess or "cp1252", errors="replace")


def sniff_charset(content: bytes) -> str:
    """Return the charset named by ``<meta charset>`` or the XML declaration, or ""."""
    head = content[:PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").strip() if match else ""


def _codec(label: str) -> str:
    label = label.strip().lower()
    if not label:
        return ""
    label = _LABEL_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return ""
    # A document that reached us as bytes cannot really be UTF-16 without a
    # BOM; browsers treat such a meta declaration as UTF-8 (HTML §13.2.3.2).
    return "utf-8" if name.startswith("utf-16") else name


def _guess(content: bytes) -> str:
    # charset_normalizer comes with trafilatura; keep it optional all the same.
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - trafilatura depends on it
        return ""
    best = from_bytes(content[: PRESCAN_BYTES * 4]).best()
    return _codec(best.encoding) if best is not None else ""
