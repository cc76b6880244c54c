"""Image files made by Pillow (and by hand, for the hostile ones) for the image tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
    b'<script>alert(1)</script><rect width="400" height="300" fill="red"/></svg>'
)


def photo(width: int = 800, height: int = 600, fmt: str = "JPEG", **save: object) -> bytes:
    """A picture with a gradient and a block of colour, so resizing has something to do."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((200, 30, 30), (width // 4, height // 4, width // 2, height // 2))
    return encode(image, fmt, **save)


def encode(image: Image.Image, fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def tracking_pixel() -> bytes:
    """The classic 1x1 transparent GIF that newsletters and feeds embed."""
    return encode(Image.new("P", (1, 1), 0), "GIF", transparency=0)


def animated_gif() -> bytes:
    """Three 120x80 frames: red, green, blue."""
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "lime", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG (print workflows still publish them): pure cyan."""
    return encode(Image.new("CMYK", (300, 200), (255, 0, 0, 0)), "JPEG", quality=95)


def rotated_jpeg_with_metadata() -> bytes:
    """A 400x200 camera JPEG whose EXIF says "rotate 90° clockwise", with GPS and a comment."""
    image = Image.new("RGB", (400, 200), "white")
    image.paste((0, 0, 0), (0, 0, 100, 200))  # a black band on the stored image's left
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show rotated 90° clockwise
    exif[0x010F] = "Newsdesk Test Camera"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPSInfo: where the photographer stood
    return encode(image, "JPEG", exif=exif, comment=b"shot at home", quality=90)


def transparent_png() -> bytes:
    """A 200x200 PNG, half transparent."""
    image = Image.new("RGBA", (200, 200), (0, 0, 255, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 200))
    return encode(image, "PNG")


def bomb_png(width: int, height: int) -> bytes:
    """A real decompression bomb: a 1-bit PNG of ``width`` x ``height`` all-zero pixels.

    The pixel data compresses about 1000:1, so a file of a few hundred kilobytes
    claims (and would decode to) hundreds of megapixels.
    """
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    chunks.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    signature = b"\x89PNG\r\n\x1a\n"
    data = _chunk(b"IDAT", b"".join(chunks))
    return signature + _chunk(b"IHDR", header) + data + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
