"""What a commenter's browser holds: proof of authorship, and proof of being a known commenter.

* Edit token: a signed token per comment, in a cookie set when it was posted.
  Whoever holds it may edit or delete that comment until the window
  (NEWSDESK_COMMENTS_EDIT_MINUTES) closes; the window is checked against the
  comment's ``created_at`` on the server, so an old cookie is worthless.
* Commenter cookie: a random id, signed, set the first time a browser posts.
  Each comment stores a hash of it (``author_key``); once a moderator approved
  one, later comments carrying the same cookie count as a returning
  commenter's. Unlike an email address, nobody else can present it.

Both are HttpOnly and SameSite=Lax, so a form on another site cannot post
with them, and Secure when the site is served over HTTPS.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from newsdesk.comments.models import Comment

EDIT_SALT = "newsdesk.comments.edit"
COOKIE_PREFIX = "nd_comment_"
COMMENTER_COOKIE = "nd_commenter"
COMMENTER_SALT = "newsdesk.comments.commenter"
COMMENTER_DAYS = 365


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
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )


def commenter_id(request: HttpRequest) -> str:
    """Return the id in the request's commenter cookie, or '' when absent or forged."""
    value = request.get_signed_cookie(
        COMMENTER_COOKIE, default="", salt=COMMENTER_SALT, max_age=COMMENTER_DAYS * 86400
    )
    return str(value or "")


def new_commenter_id() -> str:
    return secrets.token_hex(16)


def author_key(commenter: str) -> str:
    """Hash a commenter id for storage, so a leaked table cannot be replayed as cookies."""
    if not commenter:
        return ""
    return salted_hmac(COMMENTER_SALT, commenter, algorithm="sha256").hexdigest()


def set_commenter_cookie(response: HttpResponse, request: HttpRequest, commenter: str) -> None:
    """Give (or renew) the browser's commenter cookie for a year."""
    response.set_signed_cookie(
        COMMENTER_COOKIE,
        commenter,
        salt=COMMENTER_SALT,
        max_age=COMMENTER_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )
