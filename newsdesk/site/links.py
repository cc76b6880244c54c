"""Absolute URLs built on the public base URL (NEWSDESK_SITE_URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """Join a site path to the public base URL; absolute URLs pass through."""
    if urlsplit(path).scheme:
        return path
    base = str(settings.NEWSDESK_SITE_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def site_scheme() -> str:
    """Return the public base URL's scheme ("https")."""
    return urlsplit(str(settings.NEWSDESK_SITE_URL)).scheme or "http"


def site_domain() -> str:
    """Return the public base URL's host and port ("news.example.org")."""
    return urlsplit(str(settings.NEWSDESK_SITE_URL)).netloc
