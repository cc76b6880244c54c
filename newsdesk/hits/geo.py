"""Country of a client address, only from a local MaxMind-format database the operator provides.

Nothing is downloaded. Without ``NEWSDESK_GEOIP_DB``, the ``geoip2`` package or
the file itself, every country stays blank.
"""

from __future__ import annotations

import importlib
import logging
import os
from functools import lru_cache
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _reader(path: str) -> Any | None:
    if not path or not os.path.isfile(path):
        return None
    try:
        database = importlib.import_module("geoip2.database")
        return database.Reader(path)
    except Exception:
        logger.warning("geoip database unusable", extra={"path": path}, exc_info=True)
        return None


def country_of(ip: str) -> str:
    """Return the ISO 3166 alpha-2 country of ``ip``, or "" when unknown or not configured."""
    reader = _reader(getattr(settings, "NEWSDESK_GEOIP_DB", ""))
    if reader is None or not ip:
        return ""
    try:
        code = reader.country(ip).country.iso_code
    except Exception:
        # Private addresses and addresses missing from the database raise.
        return ""
    return (code or "")[:2].upper()
