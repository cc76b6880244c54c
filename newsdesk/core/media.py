"""Names, URLs and layout hints of stored images: one place for each rule.

An image is stored once per distinct content, in a few widths, under names made
from its content hash (``images/ab/ab12...ef-640.webp``). New content gets new
names, so a stored file never changes and may be cached for a year
(``Cache-Control: immutable``). The ingest stage writes these names into article
bodies; the site's template tag builds the same ``srcset`` for cards and leads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.storage import default_storage

IMAGE_DIR = "images"
# 128 bits of the SHA-256 keep names short and collisions out of reach.
NAME_DIGEST_CHARS = 32
EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
# What follows the image URL prefix in a stored file's URL: "ab/ab12...ef-640.webp".
_STORED_NAME = re.compile(rf"[0-9a-f]{{2}}/([0-9a-f]{{{NAME_DIGEST_CHARS}}})-[0-9]+\.(?:webp|jpg)")

# How wide each slot is drawn (site.css): the browser picks the smallest file that
# fills it. Keep in step with the stylesheet when the layout changes.
SIZES = {
    "body": "(min-width: 800px) 52rem, 100vw",
    "article": "(min-width: 800px) 52rem, 100vw",
    "lead": "(min-width: 1000px) 31rem, (min-width: 800px) 52rem, 100vw",
    "card": "(min-width: 600px) 11rem, 7.5rem",
    # The home page's secondary stories: four across from 800px, two on phones.
    "secondary": "(min-width: 1000px) 12rem, (min-width: 800px) 22vw, 46vw",
    "compact": "5.5rem",
}
# The file named in ``src`` for browsers without srcset: the smallest at least this wide.
FALLBACK_WIDTH = 640


@dataclass(frozen=True)
class Picture:
    """What an ``<img>`` of a stored image needs: its URLs, sizes hint and intrinsic size."""

    src: str
    srcset: str
    sizes: str
    width: int
    height: int


def rendition_widths(width: int, targets: Sequence[int]) -> list[int]:
    """Return the widths to store for an image ``width`` pixels wide, never upscaling."""
    largest = min(width, max(targets))
    return sorted({target for target in targets if target < largest} | {largest})


def scaled_height(width: int, height: int, target_width: int) -> int:
    """Return the height of a ``target_width`` copy that keeps the aspect ratio."""
    return max(1, round(height * target_width / width))


def rendition_name(digest: str, width: int, extension: str) -> str:
    """Return the storage name of one stored width of the image with ``digest``."""
    short = digest[:NAME_DIGEST_CHARS]
    return f"{IMAGE_DIR}/{short[:2]}/{short}-{width}.{extension}"


def digest_in_url(url: str) -> str:
    """Return the (short) content hash in a stored image's URL, or "" for any other URL."""
    prefix = image_url_prefix()
    if not url.startswith(prefix):
        return ""
    match = _STORED_NAME.fullmatch(url[len(prefix) :])
    return match.group(1) if match else ""


def rendition_url(name: str) -> str:
    """Return the public URL of a stored file."""
    return str(default_storage.url(name))


def image_url_prefix() -> str:
    """Return the URL every stored image starts with (``/media/images/``)."""
    return rendition_url(f"{IMAGE_DIR}/")


def picture_for(
    digest: str, width: int, height: int, widths: Sequence[int], extension: str, slot: str
) -> Picture:
    """Describe the stored widths of one image for an ``<img>`` in ``slot`` (see SIZES)."""
    urls = {w: rendition_url(rendition_name(digest, w, extension)) for w in widths}
    largest = max(widths)
    fallback = next((w for w in sorted(widths) if w >= FALLBACK_WIDTH), largest)
    return Picture(
        src=urls[fallback],
        srcset=", ".join(f"{urls[w]} {w}w" for w in sorted(widths)),
        sizes=SIZES[slot],
        width=largest,
        height=scaled_height(width, height, largest),
    )
