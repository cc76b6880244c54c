"""Serve stored images from the site itself, so a reader's browser asks no other host.

Their names are content hashes (core/media.py): a file never changes, so it is
sent with a year-long ``immutable`` cache lifetime. In production a reverse
proxy may serve MEDIA_ROOT directly instead (docs/deployment.md); with an S3
store the files are served from the bucket and this view is not routed.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

from newsdesk.core.media import IMAGE_DIR

MEDIA_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg"}


@require_safe
def stored_image(request: HttpRequest, name: str) -> HttpResponseBase:
    """Send one stored image file with a far-future cache lifetime."""
    path = _stored_path(name)
    mtime = path.stat().st_mtime
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(mtime)):
        return HttpResponseNotModified()
    content_type = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    response = FileResponse(
        path.open("rb"), content_type=content_type or "application/octet-stream"
    )
    response["Last-Modified"] = http_date(mtime)
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    return response


def _stored_path(name: str) -> Path:
    """Return the file of a stored image, or raise Http404 (nothing outside images/)."""
    if not name.startswith(f"{IMAGE_DIR}/") or not isinstance(default_storage, FileSystemStorage):
        raise Http404("no such image")
    try:
        path = Path(default_storage.path(name))
    except SuspiciousFileOperation as error:
        raise Http404("no such image") from error
    if not path.is_file():
        raise Http404("no such image")
    return path


def media_url_pattern() -> str | None:
    """Return the route of stored images ("media/"), or None when they live elsewhere (S3)."""
    media_url = str(settings.MEDIA_URL)
    if "://" in media_url or not isinstance(default_storage, FileSystemStorage):
        return None
    return media_url.strip("/") + "/"
