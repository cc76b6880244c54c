"""Django's HTTPS settings derived from the env table: secure by default for an https site.

The reverse proxy terminates TLS. The application learns that a request was
secure from the proxy's ``X-Forwarded-Proto`` (Django's
SECURE_PROXY_SSL_HEADER), believed only from NEWSDESK_TRUSTED_PROXIES: the
same list feeds gunicorn's ``forwarded_allow_ips`` and the client-address
function (``newsdesk.core.clients``), so the three never disagree.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

# One year: what Django's deployment checklist suggests and the HSTS preload list requires.
HSTS_DEFAULT_SECONDS = 31_536_000


def is_https(site_url: str) -> bool:
    """Tell whether the public site URL is served over HTTPS."""
    return urlsplit(site_url.strip()).scheme.lower() == "https"


def site_origin(site_url: str) -> str:
    """Return the origin (scheme://host[:port]) of the public site URL, as browsers send it."""
    parts = urlsplit(site_url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def site_host(site_url: str) -> str:
    """Return the host name of the public site URL."""
    return (urlsplit(site_url.strip()).hostname or "").lower()


def meta_header_name(header: str) -> str:
    """Return how WSGI names an HTTP request header in META ("X-Forwarded-Proto" → HTTP_...)."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def forwarded_allow_ips(trusted: Sequence[str]) -> str:
    """Return gunicorn's forwarded_allow_ips for the trusted proxies (it wants exact networks)."""
    return ",".join(str(ipaddress.ip_network(entry, strict=False)) for entry in trusted)


def _choose(value: Any, default: Any) -> Any:
    return default if value is None else value


def https_settings(env: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Django security settings implied by the Newsdesk environment."""
    secure = is_https(env["NEWSDESK_SITE_URL"])
    header = str(env["NEWSDESK_PROXY_SSL_HEADER"]).strip()
    proxied = bool(env["NEWSDESK_TRUSTED_PROXIES"]) and bool(header)
    cookies = _choose(env["NEWSDESK_SECURE_COOKIES"], secure)
    return {
        "SECURE_PROXY_SSL_HEADER": (meta_header_name(header), "https") if proxied else None,
        # The proxy may rewrite Host or the scheme; the public origin is always ours.
        "CSRF_TRUSTED_ORIGINS": [site_origin(env["NEWSDESK_SITE_URL"])],
        "SESSION_COOKIE_SECURE": cookies,
        "CSRF_COOKIE_SECURE": cookies,
        "SECURE_SSL_REDIRECT": _choose(env["NEWSDESK_SSL_REDIRECT"], secure),
        "SECURE_HSTS_SECONDS": _choose(
            env["NEWSDESK_HSTS_SECONDS"], HSTS_DEFAULT_SECONDS if secure else 0
        ),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": _choose(env["NEWSDESK_HSTS_INCLUDE_SUBDOMAINS"], secure),
        "SECURE_HSTS_PRELOAD": _choose(env["NEWSDESK_HSTS_PRELOAD"], secure),
    }
