"""Different hosts are fetched in parallel; a slow host never holds up the others.

Three real HTTP servers on three loopback addresses (all of 127.0.0.0/8 is
loopback on Linux) play three publishers; one answers every request after a
pause. `newsdesk crawl --once` runs as a real process on a file database, with
fewer fetch threads than hosts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer

pytestmark = pytest.mark.own_database

DATA = Path(__file__).resolve().parents[1] / "data"
BIN = Path(sys.executable).parent
SLOW_SECONDS = 4.0

ITEM = """<item><title>{title}</title><link>{base}/{page}</link><guid>{base}/{page}</guid>
<pubDate>Thu, 16 Apr 2015 14:30:00 GMT</pubDate><description>Teaser.</description></item>"""


def summary_feed(base: str, page: str) -> str:
    item = ITEM.format(title=page, base=base, page=page)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{item}</channel></rss>'
    )


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[dict[str, CorpusServer]]:
    """A slow host with two full-text feeds; two fast hosts with two summary feeds each."""
    servers = {
        "slow": CorpusServer(tmp_path / "slow", host="127.0.0.2", delay=SLOW_SECONDS),
        "fast1": CorpusServer(tmp_path / "fast1", host="127.0.0.3"),
        "fast2": CorpusServer(tmp_path / "fast2", host="127.0.0.4"),
    }
    for server in servers.values():
        server.root.mkdir()
    for name in ("a.atom", "b.atom"):
        shutil.copy(DATA / "integration" / "feeds" / "tpm.atom", servers["slow"].root / name)
    for key in ("fast1", "fast2"):
        server = servers[key]
        for n, page in enumerate(("readability/ars-1.html", "readability/heise.html")):
            shutil.copy(DATA / "articles" / page, server.root / f"page{n}.html")
            feed = summary_feed(server.base_url, f"page{n}.html")
            (server.root / f"feed{n}.rss").write_text(feed)
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


def newsdesk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "newsdesk"), *args], env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.slow
def test_slow_host_does_not_delay_other_hosts(
    hosts: dict[str, CorpusServer], tmp_path: Path
) -> None:
    """With two fetch threads and the slow host's sources first, the fast hosts finish first.

    Every host sees one request at a time; the fast hosts are asked before the
    slow host has answered anything, and all their requests are answered
    before the slow host has answered its last.
    """
    env = {
        **os.environ,
        "NEWSDESK_VAR_DIR": str(tmp_path / "var"),
        "NEWSDESK_DATABASE_URL": "",
        "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
        "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.2,127.0.0.3,127.0.0.4",
        "NEWSDESK_FETCH_HOST_DELAY": "0",
        "NEWSDESK_FETCH_WORKERS": "2",
    }
    assert newsdesk(env, "migrate", "-v0").returncode == 0
    urls = [hosts["slow"].url("a.atom"), hosts["slow"].url("b.atom")]
    urls += [hosts[k].url(f"feed{n}.rss") for k in ("fast1", "fast2") for n in (0, 1)]
    create = (
        "from newsdesk.sources.models import Source\n"
        f"for n, url in enumerate({urls!r}):\n"
        "    Source.objects.create(name=f'source {n}', feed_url=url)\n"
    )
    assert newsdesk(env, "shell", "-c", create).returncode == 0

    done = newsdesk(env, "crawl", "--once")

    assert done.returncode == 0, done.stderr
    assert "6 ok, 0 failed" in done.stdout
    for name, server in hosts.items():
        # Seen once as 2 under a loaded CI run and not reproduced since: name the host and
        # its request log so the next occurrence says which requests overlapped.
        assert server.max_in_flight == 1, (name, server.requests)
    slow = hosts["slow"].requests
    fast = [r for key in ("fast1", "fast2") for r in hosts[key].requests]
    # robots.txt, two feeds and two pages on each fast host.
    assert len(fast) == 10
    assert min(r.started for r in fast) < min(r.finished for r in slow)
    assert max(r.finished for r in fast) < max(r.finished for r in slow)
