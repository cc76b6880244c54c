"""Static file storage: whitenoise's compressed manifest storage, each URL worked out once."""

from __future__ import annotations

import threading
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Templates name a few dozen files; a bound keeps a template that passes user input safe.
MAX_REMEMBERED_URLS = 512


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Remember each static file's URL: the manifest does not change while a process runs.

    ``ManifestFilesMixin.url()`` looks the name up in the manifest, then splits,
    quotes and joins the URL again on every call, and each page asks for the
    same handful of files. ``force=True`` (collectstatic's own use) is not remembered.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}
        self._urls_lock = threading.Lock()

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return str(super().url(name, force))
        found = self._urls.get(name)
        if found is None:
            found = str(super().url(name))
            with self._urls_lock:
                if len(self._urls) < MAX_REMEMBERED_URLS:
                    self._urls[name] = found
        return found
