"""Make URLs absolute and canonical, so one article has one address.

Canonical URLs are what deduplication compares: the scheme and host are
case-insensitive (RFC 3986 §6.2.2.1), default ports are noise (§6.2.3), the
fragment never reaches the server, and tracking parameters only tell the
publisher where a click came from.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import idna

# courlan (trafilatura's URL library) keeps its tracker pattern in step with the
# AdGuard, ClearURLs and Firefox query-stripping lists; use it rather than a copy.
from courlan.clean import TRACKERS_RE

HTTP_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# HTML allows surrounding whitespace in URL attributes; control characters
# inside are stripped by browsers too (WHATWG URL: "remove all ASCII tab or newline").
_STRIP_INSIDE = re.compile(r"[\t\n\r]")

# One DNS label: letters, digits and hyphens, 1 to 63 long, no hyphen at either end
# (the LDH rule, RFC 1123 §2.1 and RFC 5890 §2.3.1).
_LDH_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
MAX_HOST_LENGTH = 253


def absolutize(url: str, base: str) -> str:
    """Resolve ``url`` against ``base``; return "" for an empty or unusable URL."""
    url = _STRIP_INSIDE.sub("", url).strip()
    if not url:
        return ""
    try:
        return urljoin(base.strip(), url)
    except ValueError:
        # An invalid IPv6 literal or port in either URL: keep what was given.
        return url


def absolute_http_url(url: str | None, base: str) -> str:
    """Resolve ``url`` against ``base``; return "" unless the result is an http(s) URL."""
    resolved = absolutize(url or "", base)
    return resolved if is_http_url(resolved) else ""


def canonicalize(url: str) -> str:
    """Return the canonical form of an http(s) URL; other URLs come back stripped."""
    url = _STRIP_INSIDE.sub("", url).strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in HTTP_SCHEMES or not parts.hostname:
        return url
    host = parts.hostname  # already lower-cased by urllib
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", _drop_tracking(parts.query), ""))


def is_http_url(url: str) -> bool:
    """Tell whether ``url`` is an absolute http or https URL with a host."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in HTTP_SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def host_name(raw: str) -> str:
    """Return ``raw`` as a valid DNS host name in ASCII (IDNA A-labels), or "" if it is not one.

    Internationalized names are checked and converted by IDNA 2008 (UTS 46 mapping);
    anything with spaces, markup, a path, a port or an invalid A-label is refused.
    """
    host = raw.strip().lower().removesuffix(".")
    if not host or len(host) > MAX_HOST_LENGTH * 4:
        return ""
    try:
        if not host.isascii():
            host = idna.encode(host, uts46=True).decode("ascii")
        elif "xn--" in host:
            idna.decode(host)  # a forged A-label is not a name
    except (idna.IDNAError, UnicodeError, ValueError):
        return ""
    labels = host.split(".")
    if len(host) > MAX_HOST_LENGTH or not all(_LDH_LABEL.match(label) for label in labels):
        return ""
    return host


def is_tracking_param(name: str) -> bool:
    """Tell whether a query parameter name only tracks the visitor."""
    name = unquote(name).strip().lower()
    return bool(name) and TRACKERS_RE.search(name) is not None


def _drop_tracking(query: str) -> str:
    # Split by hand rather than parse_qsl/urlencode so the kept parameters
    # keep their order and their exact encoding.
    kept = [
        pair for pair in query.split("&") if pair and not is_tracking_param(pair.partition("=")[0])
    ]
    return "&".join(kept)
