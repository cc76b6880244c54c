"""Django settings for Newsdesk.

Operators configure Newsdesk only through the environment variables declared in
``newsdesk.core.env`` (documented in ``docs/settings.md``); this file derives
the Django settings from them.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from newsdesk.core.env import read_all
from newsdesk.core.https import https_settings

ENV = read_all()
globals().update(ENV)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(ENV["NEWSDESK_VAR_DIR"]).resolve()
TESTING = "pytest" in sys.modules or os.environ.get("NEWSDESK_TESTING") == "1"


def _secret_key() -> str:
    """Use the configured key, else one generated once into the var folder."""
    if ENV["NEWSDESK_SECRET_KEY"]:
        return str(ENV["NEWSDESK_SECRET_KEY"])
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _database() -> dict[str, object]:
    url = ENV["NEWSDESK_DATABASE_URL"] or f"sqlite:///{VAR_DIR / 'newsdesk.sqlite3'}"
    if TESTING and os.environ.get("NEWSDESK_TEST_DATABASE_URL"):
        url = os.environ["NEWSDESK_TEST_DATABASE_URL"]
    # Tests close what they open; persistent connections would outlive their threads.
    config = dict(dj_database_url.parse(url, conn_max_age=0 if TESTING else 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers go on while the crawler or the hit buffer writes;
        # IMMEDIATE avoids "database is locked" on read-then-write upgrades.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    return config


SECRET_KEY = _secret_key()
DEBUG = ENV["NEWSDESK_DEBUG"]
ALLOWED_HOSTS = ENV["NEWSDESK_ALLOWED_HOSTS"]
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

INSTALLED_APPS = [
    # Before the admin: its base_site.html and index.html are the staff area's chrome.
    "newsdesk.staff",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "newsdesk.core",
    "newsdesk.visitors",
    "newsdesk.sources",
    "newsdesk.stories",
    "newsdesk.site",
    "newsdesk.hits",
    "newsdesk.comments",
    "newsdesk.jobs",
    "newsdesk.demo",
    "axes",
]

MIDDLEWARE = [
    # First: only a trusted proxy's X-Forwarded-* reach the checks below.
    "newsdesk.core.clients.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, which serves static files precompressed and returns early.
    "newsdesk.core.security.ReaderGZipMiddleware",
    "newsdesk.core.security.SecurityHeadersMiddleware",
    # Above sessions, CSRF, auth and URL resolution, which a cached page never needs; it
    # counts the view of each page it answers (HitMiddleware below counts rendered ones).
    "newsdesk.site.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: an oversized comment gets its form back, not a bare 400.
    "newsdesk.comments.middleware.CommentSizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsdesk.hits.middleware.HitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes asks: turns a lockout into newsdesk.site.logins.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsdesk.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if ENV["NEWSDESK_REDIS_URL"]:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV["NEWSDESK_REDIS_URL"],
            "KEY_PREFIX": "newsdesk",
        }
    }
else:
    # Pages, per-generation fragments and article objects share this cache: Django's
    # default of 300 entries would evict a busy site's pages before their TTL.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

# Celery (scale-out only): the broker is the same Redis; without it nothing is queued.
CELERY_BROKER_URL = ENV["NEWSDESK_REDIS_URL"] or "memory://"
CELERY_TASK_DEFAULT_QUEUE = ENV["NEWSDESK_CELERY_QUEUE"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    "enqueue-due-sources": {"task": "newsdesk.jobs.tasks.enqueue_due_sources", "schedule": 60.0},
    "prune-hits": {"task": "newsdesk.jobs.tasks.prune_hits", "schedule": 3600.0},
    "comment-digests": {"task": "newsdesk.jobs.tasks.send_comment_digests", "schedule": 60.0},
    "understand": {"task": "newsdesk.jobs.tasks.understand_new_articles", "schedule": 5.0},
}

# Staff sign-in throttling (django-axes); see newsdesk/site/logins.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = ENV["NEWSDESK_LOGIN_FAILURE_LIMIT"]
AXES_COOLOFF_TIME = "newsdesk.site.logins.lockout_minutes"
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "newsdesk.site.logins.login_client_address"
AXES_LOCKOUT_CALLABLE = "newsdesk.site.logins.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Successful sign-ins are not recorded: only failures, and only until their cool-off ends.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = ENV["NEWSDESK_LANGUAGE"]
TIME_ZONE = ENV["NEWSDESK_TIME_ZONE"]
USE_I18N = True
USE_TZ = True
# One date format on every staff page (the admin's and ours): newsdesk/core/formats/.
FORMAT_MODULE_PATH = ["newsdesk.core.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(ENV["NEWSDESK_STATIC_ROOT"] or VAR_DIR / "static")
# whitenoise warns about a missing root before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(ENV["NEWSDESK_MEDIA_ROOT"] or VAR_DIR / "media")
MEDIA_URL = ENV["NEWSDESK_MEDIA_URL"]
# Stored images are named by their content hash, so they never change once written.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _media_storage() -> dict[str, object]:
    """Article images: files under MEDIA_ROOT, or an S3-compatible bucket (django-storages)."""
    if ENV["NEWSDESK_MEDIA_STORAGE"] != "s3":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    # Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    # environment (boto3 reads them), never from a Newsdesk setting.
    media = urlsplit(MEDIA_URL)
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ENV["NEWSDESK_S3_BUCKET"],
            "endpoint_url": ENV["NEWSDESK_S3_ENDPOINT_URL"] or None,
            "region_name": ENV["NEWSDESK_S3_REGION"] or None,
            # Public, unsigned URLs on the bucket's (or CDN's) address.
            "custom_domain": (media.netloc + media.path.rstrip("/")) if media.netloc else None,
            "url_protocol": f"{media.scheme or 'https'}:",
            "querystring_auth": False,
            "file_overwrite": True,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }


STORAGES = {
    "default": _media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "newsdesk.core.staticfiles.StaticFilesStorage"
        )
    },
}

if ENV["NEWSDESK_EMAIL_FILE_PATH"]:
    # One file per process and run (the demo keeps its console for its own messages).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(ENV["NEWSDESK_EMAIL_FILE_PATH"]).resolve()
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = f"{ENV['NEWSDESK_SITE_NAME']} <newsdesk@localhost>"

# HTTPS behind a TLS proxy: Secure cookies, HSTS, SSL redirect and the proxy's
# X-Forwarded-Proto, all derived from NEWSDESK_SITE_URL and NEWSDESK_TRUSTED_PROXIES.
globals().update(https_settings(ENV))
SESSION_COOKIE_HTTPONLY = True
# The comment form's script reads the token from a small JSON answer, never the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A refused comment gets its form back with the reader's text; other forms get Django's page.
CSRF_FAILURE_VIEW = "newsdesk.comments.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Django's default, stated: a page opened from ours cannot reach back through window.opener.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy and Permissions-Policy: newsdesk.core.security.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "newsdesk.core.logging.FieldsFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "newsdesk": {"handlers": ["console"], "level": "INFO" if not TESTING else "WARNING"},
    },
}
