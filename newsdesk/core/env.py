"""The one table of Newsdesk settings read from the environment.

Every operator-facing setting is declared here once, with its default and a
one-line description; ``docs/settings.md`` documents the same table and a test
keeps the two in step. ``config/settings.py`` turns the table into Django
settings of the same name (``NEWSDESK_SITE_NAME`` and so on).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot use."""


def parse_bool(raw: str) -> bool:
    """Read yes/no words the way operators write them."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingError(f"not a boolean: {raw!r}")


def parse_list(raw: str) -> list[str]:
    """Split a comma-separated value, dropping blanks."""
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_popular_window(raw: str) -> str:
    """Accept one of the Most Popular windows."""
    value = raw.strip().lower()
    if value not in {"24h", "7d", "30d"}:
        raise SettingError(f"not one of 24h, 7d, 30d: {raw!r}")
    return value


def parse_comments_policy(raw: str) -> str:
    """Accept one of the comment moderation policies."""
    value = raw.strip().lower()
    if value not in {"approve_all", "hold_first", "hold_all"}:
        raise SettingError(f"not one of approve_all, hold_first, hold_all: {raw!r}")
    return value


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text), parser and meaning."""

    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str

    def read(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.name, self.default)
        try:
            return self.parse(raw)
        except (ValueError, SettingError) as exc:
            raise SettingError(f"{self.name}={raw!r}: {exc}") from exc


SETTINGS: tuple[Setting, ...] = (
    # Site
    Setting("NEWSDESK_SITE_NAME", "Newsdesk", "Name shown in the header, titles and feeds."),
    Setting(
        "NEWSDESK_SITE_URL",
        "http://127.0.0.1:8000",
        "Public base URL, used in feeds, sitemaps and emails.",
    ),
    Setting(
        "NEWSDESK_TIME_ZONE",
        "UTC",
        "IANA time zone for dates shown on the site (storage is always UTC).",
    ),
    Setting(
        "NEWSDESK_LANGUAGE",
        "en",
        "Site language (ISO 639-1); articles in other languages carry a label.",
    ),
    Setting(
        "NEWSDESK_DISCLAIMER",
        "This article was gathered automatically from the source named above. "
        "Newsdesk does not own it; all rights belong to the original publisher.",
        "Source disclaimer shown under every article.",
    ),
    Setting("NEWSDESK_DEBUG", "false", "Django debug mode; never on in production.", parse_bool),
    Setting(
        "NEWSDESK_ALLOWED_HOSTS",
        "localhost,127.0.0.1,[::1]",
        "Comma-separated host names the site answers to.",
        parse_list,
    ),
    Setting(
        "NEWSDESK_SECRET_KEY",
        "",
        "Django secret key; when empty one is generated into NEWSDESK_VAR_DIR/secret_key.",
    ),
    Setting(
        "NEWSDESK_VAR_DIR",
        "var",
        "Folder for run-time state: SQLite database, secret key, logs.",
    ),
    Setting(
        "NEWSDESK_DATABASE_URL",
        "",
        "Database URL (sqlite:///path or postgres://...); empty means SQLite in NEWSDESK_VAR_DIR.",
    ),
    Setting(
        "NEWSDESK_REDIS_URL",
        "",
        "Redis URL for cache, hit buffer and Celery; empty keeps everything in-process.",
    ),
    Setting(
        "NEWSDESK_CELERY_QUEUE",
        "newsdesk",
        "Celery queue that `newsdesk crawl --queue` and beat send refresh tasks to.",
    ),
    Setting(
        "NEWSDESK_STATIC_ROOT",
        "",
        "Where collectstatic writes files; empty means NEWSDESK_VAR_DIR/static.",
    ),
    # Gathering
    Setting(
        "NEWSDESK_FETCH_TIMEOUT",
        "20",
        "Seconds before a fetch gives up (connect, read and write each).",
        float,
    ),
    Setting(
        "NEWSDESK_FETCH_MAX_BYTES",
        "5000000",
        "Largest response body read from a source, in bytes.",
        int,
    ),
    Setting(
        "NEWSDESK_FETCH_MAX_REDIRECTS",
        "5",
        "Redirects followed before a fetch fails.",
        int,
    ),
    Setting(
        "NEWSDESK_FETCH_HOST_DELAY",
        "1.0",
        "Minimum seconds between two requests to the same host.",
        float,
    ),
    Setting(
        "NEWSDESK_FETCH_ALLOW_PRIVATE",
        "false",
        "Allow fetching private and loopback addresses (the demo and tests set it).",
        parse_bool,
    ),
    Setting(
        "NEWSDESK_FETCH_ALLOWED_HOSTS",
        "",
        "Comma-separated hosts the crawler may fetch; empty allows any (the demo sets 127.0.0.1).",
        parse_list,
    ),
    Setting(
        "NEWSDESK_FETCH_INTERVAL",
        "30",
        "Default minutes between two fetches of a source.",
        int,
    ),
    Setting(
        "NEWSDESK_FETCH_WORKERS",
        "4",
        "Sources fetched at once by one crawl.",
        int,
    ),
    Setting(
        "NEWSDESK_SCHEDULER",
        "true",
        "Run due sources inside `newsdesk serve` (turn off when `newsdesk crawl` runs apart).",
        parse_bool,
    ),
    # Understanding: reprints and stories
    Setting(
        "NEWSDESK_STORIES_WINDOW_HOURS",
        "72",
        "Hours around a story's reports within which a new article may join it.",
        int,
    ),
    Setting(
        "NEWSDESK_REPRINT_WINDOW_DAYS",
        "30",
        "Days an article is kept in the reprint index, so later copies are still credited.",
        int,
    ),
    # Hit tracker: recording
    Setting(
        "NEWSDESK_HITS_ENABLED",
        "true",
        "Count page views (the hit tracker); false records nothing.",
        parse_bool,
    ),
    Setting(
        "NEWSDESK_HITS_FLUSH_SECONDS",
        "1",
        "Seconds between two flushes of the hit buffer to the database.",
        float,
    ),
    Setting(
        "NEWSDESK_HITS_BATCH_SIZE",
        "2000",
        "Hits stored per batch; a full batch is flushed at once.",
        int,
    ),
    Setting(
        "NEWSDESK_HITS_BUFFER_MAX",
        "100000",
        "Most hits kept waiting while the database is away; past it the oldest are dropped.",
        int,
    ),
    Setting(
        "NEWSDESK_HITS_RETENTION_DAYS",
        "90",
        "Days raw page views are kept; rollups are kept for good.",
        int,
    ),
    Setting(
        "NEWSDESK_HITS_BEACON",
        "false",
        "Count views by a beacon the page sends (for sites behind a reverse-proxy page cache).",
        parse_bool,
    ),
    Setting(
        "NEWSDESK_TRUSTED_PROXIES",
        "",
        "Comma-separated proxy addresses or networks whose X-Forwarded-For names the client.",
        parse_list,
    ),
    Setting(
        "NEWSDESK_GEOIP_DB",
        "",
        "Path of a local MaxMind-format country database (needs geoip2); empty stores no country.",
    ),
    # Hit tracker: showing
    Setting(
        "NEWSDESK_POPULAR_WINDOW",
        "24h",
        "Default Most Popular window: 24h, 7d or 30d (readers can switch with ?popular=).",
        parse_popular_window,
    ),
    # Comments
    Setting(
        "NEWSDESK_COMMENTS_POLICY",
        "hold_first",
        "Comment moderation: approve_all, hold_first (first-time commenters) or hold_all.",
        parse_comments_policy,
    ),
    Setting(
        "NEWSDESK_COMMENTS_MAX_DEPTH",
        "3",
        "Levels of threaded replies (1 means no replies).",
        int,
    ),
    Setting(
        "NEWSDESK_COMMENTS_HOLD_WORDS",
        "",
        "Comma-separated words that hold a comment for moderation.",
        parse_list,
    ),
    Setting(
        "NEWSDESK_COMMENTS_BLOCK_WORDS",
        "",
        "Comma-separated words that reject a comment outright.",
        parse_list,
    ),
    Setting(
        "NEWSDESK_COMMENTS_MIN_SECONDS",
        "3",
        "Minimum seconds between showing the comment form and sending it.",
        float,
    ),
    Setting(
        "NEWSDESK_COMMENTS_EDIT_MINUTES",
        "15",
        "Minutes during which a comment's author may edit or delete it.",
        int,
    ),
    Setting(
        "NEWSDESK_AKISMET_KEY",
        "",
        "API key of an Akismet-compatible spam check; empty turns the check off.",
    ),
    Setting(
        "NEWSDESK_AKISMET_URL",
        "",
        "Base URL of the Akismet-compatible service; empty means https://rest.akismet.com.",
    ),
)


def read_all(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting's value from ``environ`` (default: the process environment)."""
    source = os.environ if environ is None else environ
    return {setting.name: setting.read(source) for setting in SETTINGS}
