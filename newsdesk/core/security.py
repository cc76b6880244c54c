"""Security headers and response compression for every response Django builds.

Django 5.2 has no Content-Security-Policy support (6.0 adds ``SECURE_CSP``, modelled
on django-csp); one fixed policy for the whole site needs no nonces or per-view
decorators, so a small middleware sets it, together with a Permissions-Policy.
``SecurityMiddleware`` already sets nosniff, the referrer policy and
Cross-Origin-Opener-Policy, and ``XFrameOptionsMiddleware`` X-Frame-Options.

The policy allows nothing inline: no ``<script>`` body, no ``style=`` attribute, no
``<style>`` element. Our templates keep scripts and styles in static files; article
bodies are sanitized without ``style`` attributes (``ingest/sanitize.py``), and
images must come from the site itself, so a reader's browser asks no third party.
Static files served by whitenoise carry no policy: they are not documents.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from newsdesk.core.clients import may_be_signed_in

# Mozilla web-security guidelines: start from 'none'-like defaults and open only
# what the site uses.
CONTENT_SECURITY_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'",),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "media-src": ("'self'",),
    "object-src": ("'none'",),
    "frame-src": ("'none'",),
    "worker-src": ("'none'",),
    "manifest-src": ("'self'",),
    "base-uri": ("'none'",),
    "frame-ancestors": ("'none'",),
    "form-action": ("'self'",),
}

# Powerful features a news site never uses, switched off for the page and any frame.
# browsing-topics is the Topics API; interest-cohort its predecessor FLoC, still named
# for browsers that knew it.
DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)


def content_security_policy() -> str:
    """Return the Content-Security-Policy header value.

    Article images stored in an S3-compatible bucket are served from its own address
    (NEWSDESK_MEDIA_URL): that origin, and only it, is added to ``img-src``.
    """
    directives = dict(CONTENT_SECURITY_POLICY)
    media = media_origin()
    if media:
        directives["img-src"] = (*directives["img-src"], media)
    return "; ".join(
        f"{directive} {' '.join(sources)}" for directive, sources in directives.items()
    )


def media_origin() -> str:
    """Return the origin of an absolute MEDIA_URL (an image bucket or CDN), else ""."""
    parts = urlsplit(str(getattr(settings, "MEDIA_URL", "") or ""))
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def permissions_policy() -> str:
    """Return the Permissions-Policy header value: every listed feature off."""
    return ", ".join(f"{feature}=()" for feature in DISABLED_FEATURES)


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()
        self.permissions = permissions_policy()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class ReaderGZipMiddleware(GZipMiddleware):
    """Gzip responses for anonymous readers; leave signed-in users' pages uncompressed.

    BREACH recovers a secret from the size of compressed responses that also
    reflect attacker-chosen text. Public pages hold no per-user secret but the
    CSRF token, which Django masks afresh on every response, and GZipMiddleware
    pads each body with random bytes (Django 4.2+). Staff pages, though, hold
    private data (commenters' email addresses, unpublished text) next to
    reflected input (admin search, filters), so they are sent uncompressed.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if may_be_signed_in(request) and user is not None and user.is_authenticated:
            return response
        if not is_compressible(response.get("Content-Type", "")):
            return response  # images are compressed already; gzip would only cost time
        return super().process_response(request, response)


COMPRESSIBLE = ("text/", "application/json", "application/xml", "+xml", "javascript")


def is_compressible(content_type: str) -> bool:
    """Tell whether a response of this type is text that gzip makes smaller."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return any(kind.startswith(t) or kind.endswith(t) or t in kind for t in COMPRESSIBLE)
