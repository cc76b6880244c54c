"""The image stage: real checks on real (generated) files, and the body rewrite."""

from __future__ import annotations

import io
import resource

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from newsdesk.core.media import picture_for, rendition_name, rendition_widths
from newsdesk.ingest.errors import ImageTooLargeError, ImageTooSmallError, NotAnImageError
from newsdesk.ingest.images import (
    FoundImage,
    ImageLimits,
    find_images,
    process_image,
    revalidate,
    rewrite_images,
    store_renditions,
)
from newsdesk.ingest.sanitize import sanitize_html
from tests.ingest import imagefixtures as fx

LIMITS = ImageLimits(
    max_bytes=5_000_000,
    max_pixels=40_000_000,
    min_side=48,
    widths=(320, 640, 1024, 1600),
    output="webp",
)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# Checks -------------------------------------------------------------------


def test_a_photo_is_stored_in_every_width_up_to_its_own() -> None:
    """A 2000 px JPEG is stored at 320, 640, 1024 and 1600 px as WebP, ratio kept."""
    processed = process_image(fx.photo(2000, 1000), LIMITS)
    assert (processed.width, processed.height, processed.source_format) == (2000, 1000, "JPEG")
    assert processed.widths == [320, 640, 1024, 1600]
    for rendition in processed.renditions:
        image = opened(rendition.data)
        assert image.format == "WEBP"
        assert (
            image.size
            == (rendition.width, rendition.height)
            == (rendition.width, rendition.width // 2)
        )


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (500, [320, 500]),
        (700, [320, 640, 700]),
        (320, [320]),
        (100, [100]),
        (5000, [320, 640, 1024, 1600]),
    ],
)
def test_images_are_never_upscaled(width: int, expected: list[int]) -> None:
    """The largest stored width is the image's own when it is narrower than the widest target."""
    assert rendition_widths(width, LIMITS.widths) == expected
    if width <= 1600:
        assert process_image(fx.photo(width, 100, "PNG"), LIMITS).widths == expected


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param(fx.SVG, NotAnImageError, id="svg"),
        pytest.param(
            b"<!DOCTYPE html><html><body>Not found</body></html>", NotAnImageError, id="html"
        ),
        pytest.param(b"", NotAnImageError, id="empty"),
        pytest.param(fx.photo(fmt="TIFF"), NotAnImageError, id="tiff"),
        pytest.param(fx.photo(fmt="BMP"), NotAnImageError, id="bmp"),
        pytest.param(fx.photo()[:4000], NotAnImageError, id="truncated-jpeg"),
        pytest.param(fx.photo(fmt="PNG")[:3000], NotAnImageError, id="truncated-png"),
        pytest.param(fx.tracking_pixel(), ImageTooSmallError, id="1x1-gif"),
        pytest.param(fx.photo(600, 1, "PNG"), ImageTooSmallError, id="spacer-line"),
        pytest.param(fx.photo(32, 32, "PNG"), ImageTooSmallError, id="icon"),
    ],
)
def test_what_is_not_a_picture_is_refused(data: bytes, error: type[Exception]) -> None:
    """SVG, HTML, other formats, truncated files and tracking pixels are refused with a reason."""
    with pytest.raises(error):
        process_image(data, LIMITS)


def test_a_file_over_the_byte_cap_is_refused_before_it_is_opened() -> None:
    """An image larger than the byte cap is refused."""
    data = fx.photo(1200, 900, "PNG")
    limits = ImageLimits(len(data) - 1, LIMITS.max_pixels, 48, LIMITS.widths, "webp")
    with pytest.raises(ImageTooLargeError, match="byte cap"):
        process_image(data, limits)


def test_a_picture_over_the_pixel_cap_is_refused() -> None:
    """The pixel cap is checked on the header: a 2000x2000 PNG under a 1 MP cap is refused."""
    limits = ImageLimits(LIMITS.max_bytes, 1_000_000, 48, LIMITS.widths, "webp")
    with pytest.raises(ImageTooLargeError, match="pixel cap"):
        process_image(fx.photo(2000, 2000, "PNG"), limits)


@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(8_000, 8_000, id="64MP-over-our-cap"),
        pytest.param(10_000, 10_000, id="100MP-over-pillows-warning"),
        pytest.param(30_000, 30_000, id="900MP-over-pillows-error"),
    ],
)
def test_a_decompression_bomb_is_refused_without_decoding_it(width: int, height: int) -> None:
    """A small PNG claiming 64 to 900 megapixels is refused from its header; memory stays flat."""
    data = fx.bomb_png(width, height)
    assert len(data) < 1_000_000  # small on the wire...
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImageTooLargeError):
        process_image(data, LIMITS)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000  # ...and never decoded: decoding would take 64-900 MB


def test_an_animated_gif_keeps_its_first_frame_as_a_still() -> None:
    """An animated GIF is stored as one still picture: its first frame."""
    processed = process_image(fx.animated_gif(), LIMITS)
    assert processed.source_format == "GIF"
    image = opened(processed.renditions[-1].data)
    assert getattr(image, "n_frames", 1) == 1
    red, green, blue = image.convert("RGB").getpixel((60, 40))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


def test_a_cmyk_jpeg_is_stored_as_rgb() -> None:
    """A CMYK JPEG becomes an RGB picture of the same colour (cyan)."""
    processed = process_image(fx.cmyk_jpeg(), LIMITS)
    image = opened(processed.renditions[0].data)
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((10, 10))  # type: ignore[misc]
    assert red < 60 and green > 200 and blue > 200


def test_exif_orientation_is_applied_and_metadata_stripped() -> None:
    """A camera JPEG is stored upright (EXIF orientation) with no EXIF, GPS or comment left."""
    processed = process_image(fx.rotated_jpeg_with_metadata(), LIMITS)
    assert (processed.width, processed.height) == (200, 400)
    for rendition in processed.renditions:
        image = opened(rendition.data)
        assert image.size[0] < image.size[1]  # portrait, as the photographer held it
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
        assert (
            b"Newsdesk Test Camera" not in rendition.data and b"shot at home" not in rendition.data
        )
    # The stored picture's black band is now at the top (rotated 90 degrees clockwise).
    top = opened(processed.renditions[0].data).convert("L").getpixel((100, 20))
    assert isinstance(top, int) and top < 60


def test_transparency_is_kept_in_webp_and_flattened_on_white_in_jpeg() -> None:
    """A transparent PNG keeps its alpha in WebP; JPEG output lays it on white."""
    webp = opened(process_image(fx.transparent_png(), LIMITS).renditions[0].data)
    assert webp.mode == "RGBA" and webp.getpixel((10, 100))[3] == 0  # type: ignore[index]
    jpeg_limits = ImageLimits(LIMITS.max_bytes, LIMITS.max_pixels, 48, LIMITS.widths, "jpeg")
    processed = process_image(fx.transparent_png(), jpeg_limits)
    jpeg = opened(processed.renditions[0].data)
    assert processed.extension == "jpg" and jpeg.format == "JPEG"
    assert jpeg.getpixel((10, 100)) > (240, 240, 240)  # type: ignore[operator]


def test_identical_bytes_have_one_digest() -> None:
    """The same file from two addresses is one image; a different file is another."""
    first = process_image(fx.photo(), LIMITS)
    assert process_image(fx.photo(), LIMITS).digest == first.digest
    assert process_image(fx.photo(801), LIMITS).digest != first.digest


# Storing ------------------------------------------------------------------


def test_renditions_are_stored_once_under_content_names(tmp_path) -> None:
    """Each width is written once; a second store of the same content writes nothing."""
    storage = FileSystemStorage(location=tmp_path)
    processed = process_image(fx.photo(700, 350), LIMITS)
    store_renditions(processed, storage)
    names = [rendition_name(processed.digest, w, "webp") for w in processed.widths]
    mtimes = [(tmp_path / name).stat().st_mtime_ns for name in names]
    store_renditions(processed, storage)
    assert [(tmp_path / name).stat().st_mtime_ns for name in names] == mtimes
    assert sorted(p.name for p in tmp_path.rglob("*.webp")) == sorted(
        n.split("/")[-1] for n in names
    )


def test_a_store_racing_another_worker_leaves_one_file(tmp_path) -> None:
    """When another worker writes the same file first, no second copy is left beside it."""

    processed = process_image(fx.photo(400, 300), LIMITS)
    names = {rendition_name(processed.digest, w, "webp") for w in processed.widths}
    raced: set[str] = set()

    class RacingStorage(FileSystemStorage):
        def exists(self, name: str) -> bool:
            found = super().exists(name)
            if not found and name in names - raced:  # the other worker wins the race now
                raced.add(name)
                (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / name).write_bytes(b"written by the other worker")
            return found

    store_renditions(processed, RacingStorage(location=tmp_path))
    assert len(raced) == len(processed.widths)
    assert len(list(tmp_path.rglob("*.webp"))) == len(processed.widths)


# The body ---------------------------------------------------------------

PICTURE = picture_for("ab" * 32, 1200, 800, [320, 640, 1024, 1200], "webp", "body")
GOOD = "https://img.example.org/good.jpg"
BAD = "https://img.example.org/bad.jpg"


def test_find_images_lists_each_source_once_in_order() -> None:
    """Images are found in document order with their alt text, each address once."""
    html = f'<p><img src="{GOOD}" alt="A harbour"></p><img src="{BAD}"><img src="{GOOD}" alt="x">'
    assert find_images(html) == [FoundImage(GOOD, "A harbour"), FoundImage(BAD, "")]
    assert find_images("") == []


def test_a_kept_image_points_at_the_local_copies() -> None:
    """A kept image gets local src/srcset/sizes, width/height, lazy loading; its alt stays."""
    html = rewrite_images(
        f'<p>Before <img src="{GOOD}" alt="A harbour" title="t"> after</p>', {GOOD: PICTURE}
    )
    assert GOOD not in html
    prefix = "/media/images/ab/abababababababababababababababab"
    assert f'src="{prefix}-640.webp"' in html
    srcset = ", ".join(f"{prefix}-{w}.webp {w}w" for w in (320, 640, 1024, 1200))
    assert f'srcset="{srcset}"' in html
    assert 'sizes="(min-width: 800px) 52rem, 100vw"' in html
    assert 'width="1200" height="800"' in html
    assert 'alt="A harbour"' in html and 'loading="lazy"' in html and 'decoding="async"' in html
    assert html.startswith("<p>Before <img") and html.endswith("> after</p>")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(f'<p>Text <img src="{BAD}"> more</p>', "<p>Text  more</p>", id="inline"),
        pytest.param(f'<p><img src="{BAD}"></p><p>Next</p>', "<p>Next</p>", id="paragraph"),
        pytest.param(
            f'<figure><img src="{BAD}"><figcaption>A caption</figcaption></figure><p>Next</p>',
            "<p>Next</p>",
            id="figure-with-caption",
        ),
        pytest.param(
            f'<p><a href="https://x.org/"><img src="{BAD}"></a></p><p>Next</p>',
            "<p>Next</p>",
            id="linked-image",
        ),
        pytest.param(
            f'<p><a href="https://x.org/">Read <img src="{BAD}"></a></p>',
            '<p><a href="https://x.org/" rel="noopener nofollow">Read </a></p>',
            id="link-with-text",
        ),
        pytest.param(
            f'<figure><img src="{BAD}"><img src="{GOOD}"><figcaption>Two</figcaption></figure>',
            None,
            id="figure-keeps-its-other-image",
        ),
        pytest.param(
            "<figure><blockquote>A pull quote</blockquote></figure>",
            "<figure><blockquote>A pull quote</blockquote></figure>",
            id="figure-without-images-untouched",
        ),
    ],
)
def test_a_failed_image_is_dropped_with_the_wrapper_it_leaves_empty(
    html: str, expected: str | None
) -> None:
    """A failed image leaves no broken box: it goes, with a link, paragraph or figure left empty."""
    result = rewrite_images(html, {GOOD: PICTURE})
    assert BAD not in result
    if expected is not None:
        assert result == expected
    else:
        assert result.count("<img") == 1 and "<figcaption>Two</figcaption>" in result


def test_a_sources_srcset_never_survives() -> None:
    """srcset and sizes from a source are stripped by the sanitizer; only ours are written."""
    source = (
        f'<img src="{GOOD}" srcset="https://tracker.example/1x1.gif 1x" sizes="100vw" '
        'onerror="alert(1)" loading="eager">'
    )
    sanitized = sanitize_html(source, base_url="https://news.example.org/a")
    assert (
        "srcset" not in sanitized
        and "tracker.example" not in sanitized
        and "sizes" not in sanitized
    )
    assert "tracker.example" not in rewrite_images(sanitized, {GOOD: PICTURE})
    assert "tracker.example" not in rewrite_images(sanitized, {})


@pytest.mark.parametrize(
    "payload",
    [
        '<img src="https://evil.example/x.png" srcset="/media/images/ab/x-320.webp 320w">',
        '<img src="/media/images/ab/x-320.webp" '
        'srcset="/media/images/ab/x 1w, https://evil.example/x 2w">',
        '<img src="javascript:alert(1)">',
        '<img src="/media/../secret" onerror="alert(1)">',
        '<img src="/media/images/ab/x.webp" decoding="sync" loading="eager" style="x">',
    ],
)
def test_revalidation_keeps_only_local_image_urls(payload: str) -> None:
    """The second pass refuses any image URL that is not one of the site's stored images."""
    cleaned = revalidate(payload)
    assert (
        "evil.example" not in cleaned and "javascript" not in cleaned and "onerror" not in cleaned
    )
    assert "../secret" not in cleaned and "style" not in cleaned
    assert 'decoding="sync"' not in cleaned and 'loading="eager"' not in cleaned


def test_revalidation_refuses_relative_links() -> None:
    """A relative link would point into this site: the second pass drops it like the first."""
    assert 'href="/admin/"' not in revalidate('<a href="/admin/">x</a>')
    assert 'href="https://x.org/"' in revalidate('<a href="https://x.org/">x</a>')
