"""Errors of the ingest boundary.

    IngestError
    ├── FetchError
    │   ├── NetworkError          connection refused, DNS, TLS
    │   │   └── FetchTimeoutError  read timeout, or the request's total deadline
    │   ├── HTTPStatusError       4xx/5xx other than 304
    │   │   └── RateLimitedError  429/503 with Retry-After
    │   ├── TooLargeError         body over NEWSDESK_FETCH_MAX_BYTES
    │   ├── TooManyRedirectsError
    │   └── BlockedError          robots.txt disallows, or a private address
    ├── ParseError                not a feed we can read
    ├── ExtractError              an article page gave no text
    │   └── WorkerError           the extraction worker died or ran out of time
    └── ImageError                an article image is not kept (ingest/images.py)
        ├── NotAnImageError       not JPEG/PNG/WebP/GIF, truncated, or undecodable
        ├── ImageTooLargeError    over the byte or pixel cap (decompression bombs)
        └── ImageTooSmallError    a tracking pixel, spacer or icon

The pipeline catches ``IngestError`` per source and per entry and stores
``str(error)`` on the source; anything else is a bug and is logged as such.
"""

from __future__ import annotations

from datetime import datetime


class IngestError(Exception):
    """Something about a source prevented gathering it."""


class FetchError(IngestError):
    """The document could not be fetched."""


class NetworkError(FetchError):
    """The server could not be reached or did not answer in time."""


class FetchTimeoutError(NetworkError):
    """The server was too slow: a read timed out, or the request passed its deadline."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RateLimitedError(HTTPStatusError):
    """The server asked us to come back later (RFC 9110 §10.2.3 Retry-After)."""

    def __init__(self, message: str, status: int, retry_at: datetime | None) -> None:
        super().__init__(message, status)
        self.retry_at = retry_at


class TooLargeError(FetchError):
    """The response body is larger than the configured cap."""


class TooManyRedirectsError(FetchError):
    """The redirect chain is longer than the configured cap."""


class BlockedError(FetchError):
    """Fetching is not allowed: robots.txt disallows it or the address is private."""


class ParseError(IngestError):
    """The document is not a feed that can be read."""


class ExtractError(IngestError):
    """An article page yielded no main text."""


class WorkerError(ExtractError):
    """The worker process extracting a page crashed or passed its time limit."""


class ImageError(IngestError):
    """An article image is not kept; the article goes on without it."""


class NotAnImageError(ImageError):
    """The bytes are not a JPEG, PNG, WebP or GIF image that decodes in full."""


class ImageTooLargeError(ImageError):
    """The image is over the byte cap or the pixel cap."""


class ImageTooSmallError(ImageError):
    """The image is too small to be a picture: a tracking pixel, spacer or icon."""
