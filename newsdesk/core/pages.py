"""The page generation: one number that changes whenever what public pages show changes.

Cached pages and fragments put the generation in their keys, so bumping it
retires every one of them at once without scanning keys (the WordPress "purge
on publish", done as versioning). The writers call ``bump_generation()``: model
signals (``newsdesk.site.invalidation``) and the bulk writes that send none (the
Understand stage, story editing).

Where it lives depends on who must see it:

* With a shared cache (Redis, ``NEWSDESK_REDIS_URL``) it is a counter in that
  cache, so every web process on every machine sees a bump at once.
* With the default per-process cache (local memory) the crawler runs in another
  process than the web workers, so the generation is the modification time of a
  file in ``NEWSDESK_VAR_DIR``: one ``stat()`` per request, seen by every process
  of the machine.

A bump happens at once and again when the surrounding transaction commits: a
page rendered in between may store the old content under the first new
generation, and the second retires it.
"""

from __future__ import annotations

import os
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

CACHE_KEY = "pages:generation"
FILE_NAME = "page-generation"


def shared_cache() -> bool:
    """Tell whether the default cache is seen by every web process (not local memory)."""
    backend = str(settings.CACHES["default"]["BACKEND"])
    return not backend.endswith(("LocMemCache", "DummyCache"))


@lru_cache(maxsize=8)
def _stamp_file(var_dir: str) -> str:
    return os.path.join(var_dir, FILE_NAME)


def _stamp_path() -> Path:
    return Path(_stamp_file(str(settings.VAR_DIR)))


def current_generation() -> str:
    """Return the current generation as a short string, for cache keys."""
    if shared_cache():
        value = cache.get(CACHE_KEY)
        if value is None:
            # add() so that two processes starting at once agree on one value.
            cache.add(CACHE_KEY, int(time.time()), timeout=None)
            value = cache.get(CACHE_KEY, 0)
        return str(value)
    # A page asks several times (its key, each fragment): stat() a path built once.
    try:
        return str(os.stat(_stamp_file(str(settings.VAR_DIR))).st_mtime_ns)
    except FileNotFoundError:
        return "0"


def bump_generation() -> None:
    """Retire every cached page and fragment, now and once the current transaction commits."""
    _bump_now()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_now)


def _bump_now() -> None:
    if shared_cache():
        try:
            cache.incr(CACHE_KEY)
        except ValueError:  # absent or evicted: any fresh value retires the old keys
            cache.set(CACHE_KEY, time.time_ns(), timeout=None)
        return
    path = _stamp_path()
    try:
        before = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        before = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    # Two bumps within the file system's time resolution must still differ.
    stamp = max(time.time_ns(), before + 1)
    os.utime(path, ns=(stamp, stamp))
