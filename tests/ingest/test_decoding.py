"""Content-Encoding undone in bounded steps: the size cap holds in memory too."""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import brotli
import pytest

from newsdesk.ingest.decoding import STEP, BodyDecoder, accept_encoding, decode_capped
from newsdesk.ingest.errors import FetchError, TooLargeError
from tests.ingest.fakeweb import FakeWeb, answer
from tests.ingest.loopback import LoopbackServer
from tests.ingest.loopback import answer as serve

ROOT = Path(__file__).resolve().parents[2]
TEXT = b"<rss><channel><title>Compressed</title></channel></rss>" * 500


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("", TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("x-gzip", gzip.compress(TEXT, mtime=0)),
        ("GZIP", gzip.compress(TEXT, mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),
        ("br", brotli.compress(TEXT)),
        ("deflate, gzip", gzip.compress(zlib.compress(TEXT), mtime=0)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT, mtime=0))),
    ],
)
def test_encodings_are_undone(encoding: str, body: bytes) -> None:
    """Each supported Content-Encoding, and chains of them, decode to the original bytes."""
    assert decode_capped(body, encoding, 10 * len(TEXT)) == TEXT


def test_chunked_input_decodes_the_same() -> None:
    """Feeding the raw body in small network chunks gives the same bytes."""
    body = gzip.compress(TEXT, mtime=0)
    decoder = BodyDecoder("gzip")
    pieces = [
        piece for start in range(0, len(body), 7) for piece in decoder.feed(body[start : start + 7])
    ]
    pieces += list(decoder.finish())
    assert b"".join(pieces) == TEXT


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_an_empty_body_is_empty(encoding: str) -> None:
    """An empty body labelled as compressed is simply empty."""
    assert decode_capped(b"", encoding, 1000) == b""


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("gzip", gzip.compress(TEXT, mtime=0)[:-20]), ("br", brotli.compress(TEXT)[:-5])],
)
def test_a_body_cut_short_is_an_error(encoding: str, body: bytes) -> None:
    """A compressed stream that stops before its end is reported, not stored half."""
    with pytest.raises(FetchError, match="ends early"):
        decode_capped(body, encoding, 10 * len(TEXT))


@pytest.mark.parametrize("encoding", ["compress", "zstd", "gzip, rot13"])
def test_unknown_encodings_are_refused(encoding: str) -> None:
    """An encoding that cannot be undone is an error, not a body of garbage."""
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        decode_capped(b"whatever", encoding, 1000)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [("gzip", b"\x1f\x8b\x08\x00garbage"), ("br", b"\xff\xff\xff"), ("deflate", b"\x78\x9cxx")],
)
def test_corrupt_bodies_are_errors(encoding: str, body: bytes) -> None:
    """A body that does not inflate raises FetchError."""
    with pytest.raises(FetchError, match="corrupt"):
        decode_capped(body, encoding, 1000)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_every_step_is_bounded(encoding: str) -> None:
    """A compression bomb comes out in bounded pieces (brotli may pass STEP by one growth step)."""
    zeros = bytes(8 * 1024 * 1024)
    body = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[encoding](zeros)
    assert len(body) < 70_000
    decoder = BodyDecoder(encoding)
    sizes = [len(piece) for piece in decoder.feed(body)] + [len(p) for p in decoder.finish()]
    assert max(sizes) <= (STEP if encoding != "br" else 2 * STEP)
    assert sum(sizes) == len(zeros)


def test_past_the_cap_is_too_large() -> None:
    """decode_capped stops at the cap."""
    with pytest.raises(TooLargeError):
        decode_capped(gzip.compress(bytes(100_000), mtime=0), "gzip", 99_999)


def test_the_fetcher_asks_only_for_encodings_it_can_bound() -> None:
    """Accept-Encoding names gzip, deflate and (with brotli >= 1.2) br, nothing else."""
    assert accept_encoding() == "gzip, deflate, br"
    web = FakeWeb(
        {"feeds.example/rss.xml": answer(200, {"Content-Encoding": "br"}, brotli.compress(TEXT))}
    )
    with web.fetcher() as fetcher:
        assert fetcher.fetch("http://feeds.example/rss.xml").content == TEXT
    assert {r.headers["accept-encoding"] for r in web.requests} == {"gzip, deflate, br"}


@cache
def gzip_bomb() -> bytes:
    """A 1 MB gzip body that inflates to 1 GiB of zeros, built in about a second.

    After a full flush a deflate stream starts afresh, so every further MiB
    of zeros compresses to the same bytes: compress three, repeat the third.
    """
    mib = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    final_empty_block = b"\x03\x00"
    return header + first + again * 1023 + final_empty_block + struct.pack("<II", crc, 1 << 30)


def test_gzip_bomb_is_what_it_claims() -> None:
    """The bomb is about 1 MB and its trailer says 1 GiB; the first 64 MiB inflate to zeros."""
    bomb = gzip_bomb()
    assert 1_000_000 < len(bomb) < 1_100_000
    assert struct.unpack("<I", bomb[-4:])[0] == 1 << 30
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflater.decompress(bomb[:70_000], 64 << 20) == bytes(64 << 20)


MEASURE = """
import json, sys, tracemalloc
import django
django.setup()
import httpx
from newsdesk.ingest.errors import TooLargeError
from newsdesk.ingest.fetcher import Fetcher

url, small, cap, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def status_bytes(field):
    # VmRSS is the resident size now, VmHWM its peak since the last reset (Linux).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

def fetch_newsdesk(fetcher, target):
    try:
        fetcher.fetch(target)
    except TooLargeError:
        return "TooLargeError"
    return "read"

def fetch_httpx_decoding(client, target):
    size = 0
    with client.stream("GET", target) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                return "over the cap"
    return "read"

if mode == "newsdesk":
    fetcher = Fetcher(max_bytes=cap, respect_robots=False)
    run = lambda target: fetch_newsdesk(fetcher, target)
else:
    client = httpx.Client()
    run = lambda target: fetch_httpx_decoding(client, target)
run(small)  # warm up: imports, pools, first allocations
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # start the peak resident size afresh
before = status_bytes("VmRSS")
tracemalloc.start()
outcome = run(url)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss_growth = status_bytes("VmHWM") - before
print(json.dumps({"outcome": outcome, "peak": peak, "rss_growth": rss_growth}))
"""


def measure(mode: str, server: LoopbackServer, cap: int, tmp_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "NEWSDESK_FETCH_HOST_DELAY": "0",
        "NEWSDESK_REDIS_URL": "",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            MEASURE,
            server.url("bomb.xml"),
            server.url("small.xml"),
            str(cap),
            mode,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_a_gzip_bomb_stays_within_the_cap_in_memory(tmp_path: Path) -> None:
    """A 1 MB gzip body inflating to 1 GiB raises peak memory by the cap plus well under 4 MB.

    Measured in a fresh process against a real loopback server; httpx's own
    decoding, measured the same way, inflates a whole network chunk at once.
    """
    cap = 5_000_000
    gz = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    routes = {
        "/bomb.xml": serve(200, gzip_bomb(), gz),
        "/small.xml": serve(200, gzip.compress(TEXT, mtime=0), gz),
    }
    with LoopbackServer(routes) as server:
        ours = measure("newsdesk", server, cap, tmp_path)
        theirs = measure("httpx", server, cap, tmp_path)
    assert ours["outcome"] == "TooLargeError"
    assert int(ours["peak"]) < cap + 4_000_000, ours  # type: ignore[call-overload]
    assert int(ours["rss_growth"]) < cap + 6_000_000, ours  # type: ignore[call-overload]
    # The same measurement has teeth: inflating chunk by chunk, unbounded, overshoots by far.
    assert theirs["outcome"] == "over the cap"
    assert int(theirs["peak"]) > 5 * cap, theirs  # type: ignore[call-overload]
    assert int(theirs["rss_growth"]) > 5 * cap, theirs  # type: ignore[call-overload]
