"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.demo.server import CorpusServer

DATA = Path(__file__).parent / "data"


def service_url(env_name: str, what: str) -> str:
    """Return a service URL from the environment, or skip (fail in CI) without one."""
    url = os.environ.get(env_name, "")
    if not url:
        message = f"{what} not configured: set {env_name} to run this test"
        if os.environ.get("NEWSDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run tests that bring their own SQLite file, and browser tests, once: in the SQLite pass.

    The first start `newsdesk` processes with ``NEWSDESK_DATABASE_URL`` empty, so a second run on
    the PostgreSQL pass would repeat exactly the same work. Browser tests check what a reader's
    browser does with the pages; the queries behind those pages run on PostgreSQL in the view
    tests. Together they are several minutes of CI, which has to stay under 15.
    """
    if not os.environ.get("NEWSDESK_TEST_DATABASE_URL"):
        return
    once = pytest.mark.skip(reason="uses a SQLite file of its own; runs in the SQLite pass")
    shown = pytest.mark.skip(reason="a browser sees the same pages on either database; SQLite pass")
    for item in items:
        if item.get_closest_marker("own_database"):
            item.add_marker(once)
        elif item.get_closest_marker("browser"):
            item.add_marker(shown)


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def corpus_server(tmp_path: Path) -> Iterator[CorpusServer]:
    """A real HTTP server on 127.0.0.1 serving a fresh folder (tests copy files in)."""
    with CorpusServer(tmp_path / "www") as server:
        (tmp_path / "www").mkdir(exist_ok=True)
        yield server


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start each test with an empty cache so cached counters and lists never leak between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_fetcher() -> Iterator[None]:
    """Give each test a new shared fetcher: no robots.txt verdict from an earlier test's port."""
    yield
    from newsdesk.ingest.crawler import reset_shared_fetcher

    reset_shared_fetcher()


@pytest.fixture(autouse=True)
def _loopback_fetching(settings: pytest.FixtureRequest) -> None:
    """Let the crawler reach the loopback fixture servers, with no politeness delay."""
    settings.NEWSDESK_FETCH_ALLOW_PRIVATE = True  # type: ignore[attr-defined]
    settings.NEWSDESK_FETCH_HOST_DELAY = 0.0  # type: ignore[attr-defined]
    # Whatever a fixture feed links to, the crawler never leaves the machine.
    settings.NEWSDESK_FETCH_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_in_tmp(
    settings: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep images stored by a test out of the working tree's var/ folder."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup: None, django_db_blocker: object) -> Iterator[None]:
    """Before the test database is dropped, end sessions that worker threads left open.

    PostgreSQL refuses to drop a database that another session still uses; a
    thread of a live server or a thread pool may still hold one at the end.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the folders where browser tests left their screenshots (also from xdist workers)."""
    folders = {
        str(Path(str(value)).parent.parent)
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == "screenshot"
    }
    for folder in sorted(folders):
        terminalreporter.write_line(f"browser screenshots: {folder}")
