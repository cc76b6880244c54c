"""``reverse()`` for the links pages repeat, computed once per URL and configuration."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Every article, story, section and editor link of many pages; an entry is a short string.
REMEMBERED_PATHS = 32_768


def site_path(name: str, **kwargs: str | int) -> str:
    """Return ``reverse(name, kwargs=kwargs)``, remembered for the process.

    A home page links about 130 articles, stories and sections, and ``reverse()``
    walks the resolver and the active language each time: a fifth of the page's
    render. The URL patterns do not change while the process runs; the script
    prefix and the URL configuration are part of the key, so a test overriding
    ``ROOT_URLCONF`` or a deployment under a path prefix still gets its own links.
    """
    urlconf: Any = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(get_script_prefix(), urlconf, name, tuple(sorted(kwargs.items())))


@lru_cache(maxsize=REMEMBERED_PATHS)
def _reversed(
    prefix: str, urlconf: Any, name: str, arguments: tuple[tuple[str, str | int], ...]
) -> str:
    # ``prefix`` is only a key: reverse() reads the same thread's prefix itself.
    return reverse(name, urlconf=urlconf, kwargs=dict(arguments))
