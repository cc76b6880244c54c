"""The author's proof of ownership: a signed token per comment, kept in a cookie.

No account is needed: whoever holds the cookie set when the comment was posted
may edit or delete it until the window (NEWSDESK_COMMENTS_EDIT_MINUTES) closes.
The window itself is checked against the comment's ``created_at`` on the
server, so an old cookie is worthless even if a browser keeps it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from newsdesk.comments.models import Comment

EDIT_SALT = "newsdesk.comments.edit"
COOKIE_PREFIX = "nd_comment_"


def edit_token(comment: Comment) -> str:
    """Sign a comment's id and visitor hash for its author."""
    return signing.dumps([comment.pk, comment.visitor_hash], salt=EDIT_SALT)


def token_is_valid(token: str, comment: Comment) -> bool:
    """Tell whether ``token`` was issued for ``comment``."""
    try:
        value = signing.loads(token, salt=EDIT_SALT)
    except signing.BadSignature:
        return False
    return value == [comment.pk, comment.visitor_hash]


def cookie_name(comment: Comment) -> str:
    return f"{COOKIE_PREFIX}{comment.pk}"


def holds_token(request: HttpRequest, comment: Comment) -> bool:
    """Tell whether the request carries the author's token, by cookie or form field."""
    token = request.COOKIES.get(cookie_name(comment), "") or str(request.POST.get("token", ""))
    return bool(token) and token_is_valid(token, comment)


def set_token_cookie(response: HttpResponse, request: HttpRequest, comment: Comment) -> None:
    """Give the author's browser the token for as long as the window lasts."""
    minutes = int(settings.NEWSDESK_COMMENTS_EDIT_MINUTES)
    response.set_cookie(
        cookie_name(comment),
        edit_token(comment),
        max_age=max(minutes, 1) * 60,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
