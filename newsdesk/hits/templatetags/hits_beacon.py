"""`{% hits_beacon_enabled as on %}`: whether pages send the view beacon."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def hits_beacon_enabled() -> bool:
    """Return True when views are counted by the beacon (NEWSDESK_HITS_BEACON)."""
    return bool(settings.NEWSDESK_HITS_ENABLED and settings.NEWSDESK_HITS_BEACON)
