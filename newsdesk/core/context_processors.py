"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Expose the site name, zone and disclaimer to templates."""
    return {
        "site_name": settings.NEWSDESK_SITE_NAME,
        "site_language": settings.NEWSDESK_LANGUAGE,
        "site_disclaimer": settings.NEWSDESK_DISCLAIMER,
    }
