"""Deployment checks of Newsdesk's own settings, shown by `newsdesk check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http.request import validate_host

from newsdesk.core.https import is_https, site_host


@register(Tags.security, deploy=True)
def check_https_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when an https site cannot learn from its proxy that requests were secure."""
    site_url = str(settings.NEWSDESK_SITE_URL)
    if not is_https(site_url) or settings.SECURE_PROXY_SSL_HEADER:
        return []
    return [
        Warning(
            "NEWSDESK_SITE_URL is https, but no trusted proxy may say a request came over HTTPS.",
            hint=(
                "List the TLS proxy's address in NEWSDESK_TRUSTED_PROXIES and let it set "
                "NEWSDESK_PROXY_SSL_HEADER (X-Forwarded-Proto: https); otherwise the SSL "
                "redirect loops and readers' addresses are the proxy's (docs/deployment.md)."
            ),
            id="newsdesk.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_site_host_allowed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when the public site's own host is not one the site answers to."""
    host = site_host(str(settings.NEWSDESK_SITE_URL))
    if not host or validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        Warning(
            f"The host of NEWSDESK_SITE_URL ({host}) is not in NEWSDESK_ALLOWED_HOSTS.",
            hint="Add it, or every request to the public URL is refused with 400.",
            id="newsdesk.W002",
        )
    ]
