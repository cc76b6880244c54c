"""`newsdesk demo` serves where --bind says and leaves its settings for the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.demo.management.commands.demo import (
    corpus_port,
    demo_environment,
    follow_bind,
    request_host,
    seed_activity,
)


@pytest.mark.parametrize(
    ("bind", "port"), [("127.0.0.1:8000", 8001), ("127.0.0.1:8600", 8601), ("nonsense", 8001)]
)
def test_the_corpus_is_served_on_the_port_after_the_site(bind: str, port: int) -> None:
    """The corpus server takes the site's port plus one, so a range of ports stays together."""
    assert corpus_port(bind) == port


def test_site_url_follows_bind(monkeypatch: pytest.MonkeyPatch, settings: object) -> None:
    """Without NEWSDESK_SITE_URL, feeds and emails name the bound address (children inherit it)."""
    monkeypatch.delenv("NEWSDESK_SITE_URL", raising=False)
    # Through the fixture first, so that the command's own change is undone after the test.
    settings.NEWSDESK_SITE_URL = "http://127.0.0.1:8000"  # type: ignore[attr-defined]
    assert follow_bind("127.0.0.1:8642") == "http://127.0.0.1:8642"
    assert os.environ["NEWSDESK_SITE_URL"] == "http://127.0.0.1:8642"
    assert settings.NEWSDESK_SITE_URL == "http://127.0.0.1:8642"  # type: ignore[attr-defined]


def test_an_explicit_site_url_is_kept(monkeypatch: pytest.MonkeyPatch, settings: object) -> None:
    """An operator's NEWSDESK_SITE_URL (say, behind a proxy) is not replaced."""
    monkeypatch.setenv("NEWSDESK_SITE_URL", "https://news.example.org")
    settings.NEWSDESK_SITE_URL = "https://news.example.org"  # type: ignore[attr-defined]
    assert follow_bind("127.0.0.1:8642") == "https://news.example.org"


def test_the_saved_environment_names_an_absolute_var_folder(
    monkeypatch: pytest.MonkeyPatch, settings: object, tmp_path: Path
) -> None:
    """The file works from any folder: its var folder is absolute; other NEWSDESK_ values kept."""
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW_PRIVATE", "true")
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    values = demo_environment()
    assert values["NEWSDESK_VAR_DIR"] == str(tmp_path)
    assert values["NEWSDESK_FETCH_ALLOW_PRIVATE"] == "true"
    assert all(name.startswith("NEWSDESK_") for name in values)


@pytest.mark.parametrize(
    ("bind", "host"),
    [
        ("127.0.0.1:8600", "127.0.0.1:8600"),
        ("0.0.0.0:8000", "127.0.0.1"),
        ("[::1]:8000", "[::1]:8000"),
    ],
)
def test_simulated_requests_name_a_host_the_site_answers_to(bind: str, host: str) -> None:
    """Seeded readers and commenters never trip ALLOWED_HOSTS, whatever --bind says."""
    assert request_host(bind) == host


@pytest.mark.django_db
def test_a_crawl_that_stored_nothing_seeds_nothing() -> None:
    """No articles (every source failed): the demo says so instead of failing on an empty list."""
    from io import StringIO

    from rich.console import Console

    from newsdesk.comments.models import Comment
    from newsdesk.hits.models import PageView

    out = StringIO()
    seed_activity(Console(file=out), host="127.0.0.1")
    assert "no articles stored" in out.getvalue()
    assert not Comment.objects.exists() and not PageView.objects.exists()
