"""An oversized comment gets its form back with a message, never Django's bare 400."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponseBase

from newsdesk.comments.views import comment_post_target, comment_too_large

# A full comment is at most ~60 KB even URL-encoded in a four-byte script; anything
# much larger is not a comment, and is refused before it is read.
MAX_POST_BYTES = 256 * 1024


class CommentSizeMiddleware:
    """Read a comment post's body before the CSRF check, answering the form when it is too big.

    Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many
    fields) while the CSRF middleware reads it, with a bare 400; comments are
    capped lower still. Either way the reader gets the form and a message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        article_pk = comment_post_target(request)
        if article_pk is not None and self._too_large(request):
            return comment_too_large(request, article_pk)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest) -> bool:
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_POST_BYTES:
                return True
            request.POST  # noqa: B018  (parse now, under Django's limits)
        except (RequestDataTooBig, TooManyFieldsSent, ValueError):
            return True
        return False
