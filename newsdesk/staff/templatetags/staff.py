"""The staff area's navigation: Dashboard, Moderation with its pending count, Sources health."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from newsdesk.comments.models import Comment, Status

register = template.Library()

# (name, label, URL name, what the page is for: shown on the admin's index).
NAV = (
    ("dashboard", "Dashboard", "dashboard:index", "Readers, views, top articles and bot traffic."),
    ("moderation", "Moderation", "comments:moderation", "Comments waiting for a decision."),
    (
        "health",
        "Sources health",
        "admin:sources_source_health",
        "Each source's status, errors, speed and output; fetch now.",
    ),
)


def pending_comments() -> int:
    """Count the comments waiting for a moderator (the badge on Moderation)."""
    return Comment.objects.filter(status=Status.PENDING).count()


@register.inclusion_tag("staff/_nav.html", takes_context=True)
def staff_nav(context: template.Context, current: str = "") -> dict[str, Any]:
    """Render the staff links; ``current`` names the page shown (for aria-current)."""
    request: HttpRequest | None = context.get("request")
    if request is not None and not current:
        current = _current_from_path(request.path)
    return {"links": NAV, "current": current, "pending": pending_comments()}


@register.inclusion_tag("staff/_home.html")
def staff_home() -> dict[str, Any]:
    """Render the staff pages as the first module of the admin's index."""
    return {"links": NAV, "pending": pending_comments()}


def _current_from_path(path: str) -> str:
    if path.startswith("/dashboard/"):
        return "dashboard"
    if path.startswith("/moderation/"):
        return "moderation"
    if path.rstrip("/").endswith("/sources/source/health"):
        return "health"
    return ""
