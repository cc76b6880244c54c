"""The one table of Newsdesk settings read from the environment.

Every operator-facing setting is declared here once, with its default and a
one-line description; ``docs/settings.md`` documents the same table and a test
keeps the two in step. ``config/settings.py`` turns the table into Django
settings of the same name (``NEWSDESK_SITE_NAME`` and so on).
"""

from __future__ import annotations

import ipaddress
import os
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
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


def parse_optional_bool(raw: str) -> bool | None:
    """Read a yes/no word, or None when empty (the setting then follows NEWSDESK_SITE_URL)."""
    return None if not raw.strip() else parse_bool(raw)


def parse_optional_int(raw: str) -> int | None:
    """Read a whole number, or None when empty (the setting then follows NEWSDESK_SITE_URL)."""
    return None if not raw.strip() else int(raw)


def parse_networks(raw: str) -> list[str]:
    """Split a comma-separated list of addresses or networks, refusing anything else."""
    entries = parse_list(raw)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise SettingError(f"not an address or network: {entry!r}") from exc
    return entries


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


def parse_widths(raw: str) -> list[int]:
    """Read a comma-separated list of positive pixel widths, smallest first."""
    widths = sorted({int(part) for part in parse_list(raw)})
    if not widths or widths[0] < 16:
        raise SettingError(f"need one or more widths of at least 16 px: {raw!r}")
    return widths


def parse_image_format(raw: str) -> str:
    """Accept one of the formats images are stored in."""
    value = raw.strip().lower()
    if value not in {"webp", "jpeg"}:
        raise SettingError(f"not one of webp, jpeg: {raw!r}")
    return value


def parse_media_storage(raw: str) -> str:
    """Accept one of the stores for media files."""
    value = raw.strip().lower()
    if value not in {"filesystem", "s3"}:
        raise SettingError(f"not one of filesystem, s3: {raw!r}")
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
        'IANA time zone of the dates readers see, shown with its abbreviation ("14:05 CET");'
        " storage is always UTC.",
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
        "NEWSDESK_ENV_FILE",
        "",
        "File of NEWSDESK_ settings `newsdesk` reads first (set ones win); unset: var/demo/env "
        "when present and neither NEWSDESK_VAR_DIR nor NEWSDESK_DATABASE_URL is set.",
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
    # HTTPS (docs/deployment.md); empty values follow NEWSDESK_SITE_URL's scheme
    Setting(
        "NEWSDESK_PROXY_SSL_HEADER",
        "X-Forwarded-Proto",
        "Header a trusted proxy sets to `https` for TLS requests (honoured only from "
        "NEWSDESK_TRUSTED_PROXIES; empty ignores it).",
    ),
    Setting(
        "NEWSDESK_SSL_REDIRECT",
        "",
        "Redirect plain HTTP requests to HTTPS; empty means true for an https NEWSDESK_SITE_URL.",
        parse_optional_bool,
    ),
    Setting(
        "NEWSDESK_SECURE_COOKIES",
        "",
        "Mark session and CSRF cookies Secure; empty means true for an https NEWSDESK_SITE_URL.",
        parse_optional_bool,
    ),
    Setting(
        "NEWSDESK_HSTS_SECONDS",
        "",
        "Strict-Transport-Security max-age; empty means 31536000 for an https "
        "NEWSDESK_SITE_URL, else 0 (no header).",
        parse_optional_int,
    ),
    Setting(
        "NEWSDESK_HSTS_INCLUDE_SUBDOMAINS",
        "",
        "Add includeSubDomains to HSTS; empty means true for an https NEWSDESK_SITE_URL.",
        parse_optional_bool,
    ),
    Setting(
        "NEWSDESK_HSTS_PRELOAD",
        "",
        "Add preload to HSTS; empty means true for an https NEWSDESK_SITE_URL.",
        parse_optional_bool,
    ),
    # Gathering
    Setting(
        "NEWSDESK_FETCH_TIMEOUT",
        "20",
        "Seconds one connect, read or write may wait (NEWSDESK_FETCH_DEADLINE bounds the whole).",
        float,
    ),
    Setting(
        "NEWSDESK_FETCH_DEADLINE",
        "30",
        "Most seconds one request may take in all (connect, headers, body); then the host is free.",
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
        "NEWSDESK_FETCH_ROBOTS_TTL",
        "3600",
        "Seconds a robots.txt is kept when its server gives no max-age (at most 24 hours).",
        float,
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
        "NEWSDESK_SOURCE_GIVE_UP_DAYS",
        "14",
        "Days of permanent failures (404, not a feed...) before fetching a source stops; 0 never.",
        int,
    ),
    Setting(
        "NEWSDESK_EXTRACT_PROCESSES",
        "0",
        "Worker processes extracting article pages; 0 means one per CPU.",
        int,
    ),
    Setting(
        "NEWSDESK_EXTRACT_MAX_PAGES",
        "200",
        "Pages one extraction worker handles before it is replaced by a fresh one.",
        int,
    ),
    Setting(
        "NEWSDESK_EXTRACT_TIMEOUT",
        "30",
        "Seconds one page may take to extract before its worker is stopped.",
        float,
    ),
    Setting(
        "NEWSDESK_SCHEDULER",
        "true",
        "Run due sources inside `newsdesk serve` (turn off when `newsdesk crawl` runs apart).",
        parse_bool,
    ),
    # Images
    Setting(
        "NEWSDESK_IMAGES",
        "true",
        "Fetch article images at ingest and show local copies; false drops every image.",
        parse_bool,
    ),
    Setting(
        "NEWSDESK_IMAGES_WIDTHS",
        "320,640,1024,1600",
        "Widths in pixels each image is stored in (never wider than the original).",
        parse_widths,
    ),
    Setting(
        "NEWSDESK_IMAGES_FORMAT",
        "webp",
        "Format images are stored in: webp or jpeg.",
        parse_image_format,
    ),
    Setting(
        "NEWSDESK_IMAGES_MAX_BYTES",
        "5000000",
        "Largest image file kept, in bytes (NEWSDESK_FETCH_MAX_BYTES applies first).",
        int,
    ),
    Setting(
        "NEWSDESK_IMAGES_MAX_PIXELS",
        "40000000",
        "Largest image kept, in pixels (width x height), checked before decoding.",
        int,
    ),
    Setting(
        "NEWSDESK_IMAGES_MIN_SIZE",
        "48",
        "Smallest width and height kept, in pixels; smaller ones are tracking pixels or icons.",
        int,
    ),
    Setting(
        "NEWSDESK_IMAGES_PER_ARTICLE",
        "20",
        "Most images fetched for one article; the rest are dropped from its body.",
        int,
    ),
    Setting(
        "NEWSDESK_MEDIA_ROOT",
        "",
        "Folder of stored images (filesystem storage); empty means NEWSDESK_VAR_DIR/media.",
    ),
    Setting(
        "NEWSDESK_MEDIA_URL",
        "/media/",
        "URL of stored images: a site path, or the public URL of the S3 bucket or its CDN.",
    ),
    Setting(
        "NEWSDESK_MEDIA_STORAGE",
        "filesystem",
        "Where images are stored: filesystem, or s3 (needs the s3 extra; docs/deployment.md).",
        parse_media_storage,
    ),
    Setting(
        "NEWSDESK_S3_BUCKET",
        "",
        "Bucket of the S3-compatible store (with NEWSDESK_MEDIA_STORAGE=s3).",
    ),
    Setting(
        "NEWSDESK_S3_ENDPOINT_URL",
        "",
        "Endpoint of an S3-compatible store (MinIO, R2...); empty means AWS.",
    ),
    Setting(
        "NEWSDESK_S3_REGION",
        "",
        "Region of the S3 bucket; empty leaves it to the store.",
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
        "Comma-separated addresses or networks of your reverse proxies; their "
        "X-Forwarded-For names the client and their NEWSDESK_PROXY_SSL_HEADER says HTTPS.",
        parse_networks,
    ),
    Setting(
        "NEWSDESK_GEOIP_DB",
        "",
        "Path of a local MaxMind-format country database (needs geoip2); empty stores no country.",
    ),
    # Staff accounts
    Setting(
        "NEWSDESK_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed staff sign-ins from one client before its sign-ins are locked.",
        int,
    ),
    Setting(
        "NEWSDESK_LOGIN_LOCKOUT_MINUTES",
        "15",
        "Minutes a client stays locked out after too many failed sign-ins.",
        int,
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
        "NEWSDESK_COMMENTS_DIGEST_MINUTES",
        "30",
        "Editors get at most one email per this many minutes listing comments awaiting them.",
        int,
    ),
    Setting(
        "NEWSDESK_EMAIL_FILE_PATH",
        "",
        "Folder where emails are written as files (Django's file backend); empty prints them.",
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


def read_env_file(path: Path) -> dict[str, str]:
    """Read ``NAME=value`` lines (shell-quoted, as the demo writes them); skip the rest."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, raw = line.strip().removeprefix("export ").partition("=")
        if sep and name.startswith("NEWSDESK_") and name.isidentifier():
            words = shlex.split(raw) if raw.strip() else [""]
            values[name] = words[0] if words else ""
    return values


def write_env_file(path: Path, values: Mapping[str, str]) -> Path:
    """Write ``values`` as shell-quoted ``NAME=value`` lines (``. path`` in a shell reads them)."""
    lines = [f"{name}={shlex.quote(value)}" for name, value in sorted(values.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_all(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting's value from ``environ`` (default: the process environment)."""
    source = os.environ if environ is None else environ
    return {setting.name: setting.read(source) for setting in SETTINGS}
