"""Article images: check fetched bytes, store a few widths, point the body at them.

::

    fetched bytes -> process_image() -> ProcessedImage (checked, oriented, metadata gone,
                     resized to NEWSDESK_IMAGES_WIDTHS) -> store_renditions() (Django storage)
    sanitized body -> find_images() -> [FoundImage]   (the orchestrator fetches each src)
                   -> rewrite_images(body, {src: Picture}) -> local <img> with srcset, the
                      rest dropped -> revalidated against the sanitizer's allowlist

Nothing here touches the ORM; ``ingest/image_pipeline.py`` does. A check that
fails raises an ``ImageError`` (ingest/errors.py) and the image is dropped.
Decoding is decompression-bomb safe: the format and the pixel count are read
from the header and checked before a single pixel is decoded, and an animated
image is decoded one frame only.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import lxml.html
import nh3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageOps

from newsdesk.core.media import (
    EXTENSIONS,
    Picture,
    digest_in_url,
    picture_for,
    rendition_name,
    rendition_widths,
    scaled_height,
)
from newsdesk.core.urls import is_http_url
from newsdesk.ingest.errors import ImageTooLargeError, ImageTooSmallError, NotAnImageError
from newsdesk.ingest.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROPPED_WITH_CONTENT,
    LINK_REL,
    URL_SCHEMES,
)

# Only raster formats browsers show everywhere; SVG (scriptable) is never one.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Multi-picture JPEGs from cameras open as "MPO"; their first picture is a JPEG.
_FORMAT_ALIASES = {"MPO": "JPEG"}
IMAGE_ACCEPT = "image/webp, image/png, image/jpeg, image/gif;q=0.9, */*;q=0.1"
QUALITY = {"webp": 80, "jpeg": 82}
# Wrappers that mean nothing once the picture inside them is gone.
_WRAPPERS = frozenset({"a", "p", "figure", "div", "span", "strong", "em", "b", "i", "u"})


@dataclass(frozen=True)
class ImageLimits:
    """What an article image must satisfy, and the widths it is stored in."""

    max_bytes: int
    max_pixels: int
    min_side: int
    widths: tuple[int, ...]
    output: str  # "webp" or "jpeg"

    @classmethod
    def from_settings(cls) -> ImageLimits:
        return cls(
            max_bytes=int(settings.NEWSDESK_IMAGES_MAX_BYTES),
            max_pixels=int(settings.NEWSDESK_IMAGES_MAX_PIXELS),
            min_side=int(settings.NEWSDESK_IMAGES_MIN_SIZE),
            widths=tuple(settings.NEWSDESK_IMAGES_WIDTHS),
            output=str(settings.NEWSDESK_IMAGES_FORMAT),
        )

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.output]


@dataclass(frozen=True)
class Rendition:
    """One stored width of an image: encoded bytes and pixel size."""

    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """A checked image, upright, without metadata, in every width it is stored in."""

    digest: str  # SHA-256 of the fetched bytes: identical images are stored once
    width: int
    height: int
    source_format: str
    extension: str
    renditions: tuple[Rendition, ...]

    @property
    def widths(self) -> list[int]:
        return [rendition.width for rendition in self.renditions]

    def picture(self, slot: str) -> Picture:
        return picture_for(self.digest, self.width, self.height, self.widths, self.extension, slot)


@dataclass(frozen=True)
class FoundImage:
    """An ``<img>`` of a sanitized body: its (absolute) source URL and alt text."""

    src: str
    alt: str


def digest_of(data: bytes) -> str:
    """Return the content hash that names an image."""
    return hashlib.sha256(data).hexdigest()


def process_image(data: bytes, limits: ImageLimits) -> ProcessedImage:
    """Check ``data`` is a picture within the limits; return it resized and re-encoded."""
    if len(data) > limits.max_bytes:
        raise ImageTooLargeError(f"{len(data)} bytes, over the {limits.max_bytes} byte cap")
    with _open_checked(data, limits) as opened:
        source_format = _FORMAT_ALIASES.get(str(opened.format), str(opened.format))
        upright = _decode(opened, limits)
    width, height = upright.size
    renditions: list[Rendition] = []
    # Largest first, each made from the one before: far less work than every
    # width from the full picture, and no visible loss at these ratios.
    source = upright
    for target in sorted(rendition_widths(width, limits.widths), reverse=True):
        source = _fit(source, target, scaled_height(width, height, target))
        renditions.insert(0, _encode(source, limits.output))
    return ProcessedImage(
        digest=digest_of(data),
        width=width,
        height=height,
        source_format=source_format,
        extension=limits.extension,
        renditions=tuple(renditions),
    )


def _open_checked(data: bytes, limits: ImageLimits) -> Image.Image:
    """Open the header only, and refuse other formats, bombs and tracking pixels."""
    try:
        # Pillow warns past Image.MAX_IMAGE_PIXELS and raises at twice that; make
        # the warning an error too, so no bomb is ever half decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooLargeError(f"decompression bomb refused: {error}") from error
    except Exception as error:
        # Hostile bytes make Pillow raise all sorts (OSError, SyntaxError, struct.error...).
        raise NotAnImageError(f"not a JPEG, PNG, WebP or GIF image ({error})") from error
    width, height = opened.size
    if width * height > limits.max_pixels:
        opened.close()
        raise ImageTooLargeError(f"{width}x{height} pixels, over the {limits.max_pixels} pixel cap")
    if min(width, height) < limits.min_side:
        opened.close()
        raise ImageTooSmallError(
            f"{width}x{height} pixels, under {limits.min_side} px: a tracking pixel or icon"
        )
    return opened


def _decode(opened: Image.Image, limits: ImageLimits) -> Image.Image:
    """Decode the first frame, upright (EXIF orientation), in a mode the encoder takes."""
    try:
        if opened.format in ("JPEG", "MPO"):
            # Let libjpeg scale down while decoding (1/2 to 1/8), never below the
            # largest stored width: far less memory and time for camera-sized files.
            largest = max(limits.widths)
            opened.draft("RGB", (largest, largest))
        opened.seek(0)
        opened.load()
        upright = ImageOps.exif_transpose(opened)
    except Exception as error:
        raise NotAnImageError(f"the image does not decode ({error})") from error
    return _normalise_mode(upright, limits.output)


def _normalise_mode(image: Image.Image, output: str) -> Image.Image:
    """Return an RGB image (RGBA when transparent and the output keeps alpha)."""
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if transparent:
        rgba = image.convert("RGBA")
        if output == "webp":
            return rgba
        # JPEG has no alpha: lay the picture on white, as a page would show it.
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: keep the top 8 bits rather than clipping to white.
        image = image.point(lambda value: value / 256).convert("L")
    return image if image.mode == "RGB" else image.convert("RGB")


def _fit(image: Image.Image, width: int, height: int) -> Image.Image:
    if image.size == (width, height):
        return image
    # reducing_gap: a fast box reduction first, Lanczos for the last factor of two.
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)


def _encode(image: Image.Image, output: str) -> Rendition:
    # A fresh info dict: nothing of the source's EXIF, ICC or comments is written.
    image.info = {}
    buffer = io.BytesIO()
    if output == "webp":
        image.save(buffer, "WEBP", quality=QUALITY["webp"], method=4)
    else:
        image.save(buffer, "JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True)
    return Rendition(image.width, image.height, buffer.getvalue())


def store_renditions(image: ProcessedImage, storage: Storage) -> None:
    """Write each width of ``image`` that ``storage`` does not hold yet."""
    for rendition in image.renditions:
        name = rendition_name(image.digest, rendition.width, image.extension)
        if storage.exists(name):
            continue  # The same content, stored for another article.
        saved = storage.save(name, ContentFile(rendition.data))
        if saved != name:
            # Another worker wrote the same content a moment ago; the storage kept
            # both under different names. Names come from the content: drop ours.
            storage.delete(saved)


def renditions_stored(digest: str, widths: list[int], extension: str, storage: Storage) -> bool:
    """Return whether every width of a known image is still in ``storage``."""
    return all(storage.exists(rendition_name(digest, w, extension)) for w in widths)


def find_images(html: str) -> list[FoundImage]:
    """Return the body's images in document order, each source once."""
    root = _parse(html)
    if root is None:
        return []
    found: dict[str, FoundImage] = {}
    for element in root.iter("img"):
        src = (element.get("src") or "").strip()
        if src and src not in found:
            found[src] = FoundImage(src, (element.get("alt") or "").strip())
    return list(found.values())


def rewrite_images(html: str, pictures: Mapping[str, Picture]) -> str:
    """Point each ``<img>`` at its stored copy; drop the others and wrappers left empty.

    ``pictures`` maps an image's source URL to its stored widths; an image not
    in it failed (or was never fetched) and must not show as a broken box.
    """
    root = _parse(html)
    if root is None:
        return html
    for element in list(root.iter("img")):
        picture = pictures.get((element.get("src") or "").strip())
        if picture is None:
            _drop_with_empty_wrappers(element)
        else:
            _point_at(element, picture)
    serialized = lxml.html.tostring(root, encoding="unicode")
    return revalidate(serialized.removeprefix("<div>").removesuffix("</div>"))


def _parse(html: str) -> Any:
    if not html.strip():
        return None
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _point_at(element: Any, picture: Picture) -> None:
    alt = element.get("alt") or ""
    element.attrib.clear()
    element.attrib.update(
        {
            "src": picture.src,
            "srcset": picture.srcset,
            "sizes": picture.sizes,
            "width": str(picture.width),
            "height": str(picture.height),
            "alt": alt,
            "loading": "lazy",
            "decoding": "async",
        }
    )


def _drop_with_empty_wrappers(element: Any) -> None:
    parent = element.getparent()
    element.drop_tree()  # keeps the text that followed the image
    while parent is not None and parent.tag in _WRAPPERS and _is_empty(parent):
        above = parent.getparent()
        if above is None:
            break  # the fragment's own wrapper
        parent.drop_tree()
        parent = above


def _is_empty(element: Any) -> bool:
    """A wrapper is empty when no picture is left in it and it has no text of its own."""
    if element.find(".//img") is not None:
        return False
    if element.tag == "figure":
        return True  # A caption without its picture describes nothing.
    return not element.text_content().strip()


def revalidate(html: str) -> str:
    """Run rewritten HTML through the sanitizer's allowlist again, plus our image attributes.

    ``srcset`` and ``sizes`` pass only here, never in sanitize_html(): a source
    cannot bring its own, and every image URL must be one of the site's own.
    """
    return str(_revalidator().clean(html))


@lru_cache(maxsize=1)
def _revalidator() -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    attributes["img"] = attributes["img"] | {"srcset", "sizes"}

    def keep_local(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if digest_in_url(value) else None
        if tag == "img" and attribute == "srcset":
            candidates = [part.split() for part in value.split(",")]
            local = all(
                len(c) == 2 and digest_in_url(c[0]) and re.fullmatch(r"[0-9]+w", c[1])
                for c in candidates
            )
            return value if candidates and local else None
        if attribute == "href" and not (is_http_url(value) or value.startswith("mailto:")):
            return None  # A relative link would point into this site.
        return value

    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes,
        tag_attribute_values={"img": {"loading": {"lazy"}, "decoding": {"async"}}},
        attribute_filter=keep_local,
        url_schemes=set(URL_SCHEMES),
        # Our image URLs are site paths; the first pass already made links absolute.
        url_relative="pass_through",
        link_rel=LINK_REL,
        strip_comments=True,
    )
