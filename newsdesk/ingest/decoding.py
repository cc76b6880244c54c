"""Undo a response's Content-Encoding within a size cap, in memory too.

httpx inflates each network chunk in one call, so a 64 KiB chunk of a gzip
bomb becomes up to 64 MiB before anyone can count it. Here the fetcher reads
the raw bytes and inflates them in steps of at most STEP bytes of output
(zlib's ``max_length``, brotli's ``output_buffer_limit``), counting each
step against the cap before asking for the next: a 1 MB body that would
inflate to 1 GiB costs the cap plus one step.

Encodings understood, and the only ones the fetcher asks for (Accept-Encoding):
gzip (and x-gzip), deflate (zlib-wrapped, or raw as some servers send it),
and br when the brotli package, version 1.2 or later (the first that can
bound its output), is installed. A chain such as "gzip, br" is undone in
reverse order. Anything else is refused rather than stored as garbage.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from functools import cache
from typing import Any, Protocol

from newsdesk.ingest.errors import FetchError, TooLargeError

# The most output one inflation step may produce.
STEP = 64 * 1024


class _Stage(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _Zlib:
    """gzip or deflate, inflated STEP bytes at a time."""

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._inflater = zlib.decompressobj(wbits)
        # Some servers send "deflate" without the zlib header (RFC 9110 §8.4.1.2
        # says zlib; early IIS sent raw DEFLATE). Decide on the first bytes.
        self._raw_fallback = raw_fallback
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            if self._raw_fallback and not _looks_zlib_wrapped(data):
                self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        pending = data
        while True:
            try:
                out = self._inflater.decompress(pending, STEP)
            except zlib.error as error:
                raise FetchError(f"corrupt compressed body: {error}") from error
            if out:
                yield out
            pending = self._inflater.unconsumed_tail
            # A full step may leave output waiting inside zlib: ask again.
            if not pending and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._inflater.eof:
            yield from self.feed(b"")
            if not self._inflater.eof:
                raise FetchError("corrupt compressed body: it ends early")


class _Brotli:
    """br, inflated STEP bytes at a time (brotli >= 1.2)."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._inflater = module.Decompressor()
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        # The limit stops the output buffer growing once it is reached, so a
        # piece may pass STEP by one growth step; it stays bounded all the same.
        self._started = self._started or bool(data)
        try:
            out = self._inflater.process(data, output_buffer_limit=STEP)
            while out:
                yield out
                # Drain what the input already holds before taking more.
                out = self._inflater.process(b"", output_buffer_limit=STEP)
        except self._module.error as error:
            raise FetchError(f"corrupt compressed body: {error}") from error

    def finish(self) -> Iterator[bytes]:
        if self._started and not self._inflater.is_finished():
            raise FetchError("corrupt compressed body: it ends early")
        return iter(())


class BodyDecoder:
    """Undo a Content-Encoding chain, one raw chunk at a time, in bounded steps."""

    def __init__(self, content_encoding: str) -> None:
        names = [name.strip().lower() for name in content_encoding.split(",") if name.strip()]
        self._stages = [_stage_for(name) for name in reversed(names) if name != "identity"]

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """Yield the decoded pieces of ``chunk``, none longer than STEP."""
        return self._through(0, chunk)

    def finish(self) -> Iterator[bytes]:
        """Yield what the decoders still hold once the body has ended."""
        for position, stage in enumerate(self._stages):
            for piece in stage.finish():
                yield from self._through(position + 1, piece)

    def _through(self, position: int, chunk: bytes) -> Iterator[bytes]:
        if position == len(self._stages):
            if chunk:
                yield chunk
            return
        for piece in self._stages[position].feed(chunk):
            yield from self._through(position + 1, piece)


def accept_encoding() -> str:
    """The Accept-Encoding the fetcher sends: only what BodyDecoder can bound."""
    return "gzip, deflate, br" if _brotli() is not None else "gzip, deflate"


def decode_capped(data: bytes, content_encoding: str, max_bytes: int) -> bytes:
    """Decode a whole body, raising TooLargeError once it passes ``max_bytes``."""
    decoder = BodyDecoder(content_encoding)
    pieces: list[bytes] = []
    size = 0
    for piece in _chain(decoder.feed(data), decoder.finish()):
        size += len(piece)
        if size > max_bytes:
            raise TooLargeError(f"the body expands past the {max_bytes} byte cap")
        pieces.append(piece)
    return b"".join(pieces)


def _chain(*parts: Iterator[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


def _stage_for(name: str) -> _Stage:
    if name in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS, raw_fallback=True)
    if name == "br" and (module := _brotli()) is not None:
        return _Brotli(module)
    raise FetchError(f"unsupported Content-Encoding {name!r}")


def _looks_zlib_wrapped(data: bytes) -> bool:
    # A zlib header: deflate method, and the two bytes divisible by 31 (RFC 1950 §2.2).
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


@cache
def _brotli() -> Any:
    """Return the brotli module if it can bound its output, else None."""
    try:
        import brotli
    except ImportError:
        return None
    return brotli if hasattr(brotli.Decompressor(), "can_accept_more_data") else None
