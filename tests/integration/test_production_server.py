"""A production set-up (DEBUG off, collectstatic'd, gunicorn) serves hashed static files for good.

``newsdesk serve`` runs in its own process outside the test settings, so it uses
whitenoise's CompressedManifestStaticFilesStorage exactly as a deployment does.
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest

from newsdesk.core.security import content_security_policy

pytestmark = [pytest.mark.slow, pytest.mark.own_database]
FAR_FUTURE = 10 * 365 * 24 * 3600


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a fresh site with DEBUG off from a child process; yield its base URL."""
    var = tmp_path_factory.mktemp("prod-var")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEWSDESK_", "DJANGO_", "PYTEST"))
    }
    env.update(
        {
            "NEWSDESK_VAR_DIR": str(var),
            "NEWSDESK_DEBUG": "false",
            "NEWSDESK_ALLOWED_HOSTS": "127.0.0.1",
            "NEWSDESK_SCHEDULER": "false",
            "NEWSDESK_SECRET_KEY": "a-test-only-key-" + "x" * 40,
        }
    )
    command = [sys.executable, "-m", "newsdesk.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    log = var / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/robots.txt", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _stylesheet(base: str) -> str:
    html = httpx.get(base + "/", headers={"Accept-Encoding": "identity"}).text
    match = re.search(r'href="(/static/site/site\.[0-9a-f]{12}\.css)"', html)
    assert match, "the page links the hashed stylesheet"
    return match.group(1)


def test_pages_link_hashed_static_files_cached_for_good(server: str) -> None:
    """Hashed static names carry a ten-year immutable cache lifetime."""
    response = httpx.get(server + _stylesheet(server), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "public" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= FAR_FUTURE  # type: ignore[union-attr]


def test_static_files_are_served_precompressed(server: str) -> None:
    """whitenoise sends the brotli or gzip file it wrote at collectstatic."""
    url = server + _stylesheet(server)
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"}).content
    raw = {}
    for encoding in ("br", "gzip"):
        with httpx.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
            assert response.headers["Content-Encoding"] == encoding
            assert "Accept-Encoding" in response.headers["Vary"]
            raw[encoding] = b"".join(response.iter_raw())
    assert brotli.decompress(raw["br"]) == plain
    assert gzip.decompress(raw["gzip"]) == plain


def test_unhashed_names_are_not_cached_for_long(server: str) -> None:
    """The unhashed name of a file may change content, so it is cached briefly only."""
    response = httpx.get(server + "/static/site/site.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_pages_are_gzipped_with_the_policy(server: str) -> None:
    """An anonymous page comes gzipped from the real server, with its security headers."""
    with httpx.stream("GET", server + "/", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Content-Security-Policy"] == content_security_policy()
        assert b"<html" in gzip.decompress(b"".join(response.iter_raw()))


def test_head_on_a_counter_has_no_body_over_the_wire(server: str) -> None:
    """A real server's HEAD on a counter returns GET's headers and not one byte of body."""
    got = httpx.get(server + "/hits/counter/site.svg", headers={"Accept-Encoding": "identity"})
    head = httpx.head(server + "/hits/counter/site.svg", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
