"""Image settings: parsers, and the media storage each NEWSDESK_MEDIA_STORAGE selects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.core.env import SettingError, parse_image_format, parse_media_storage, parse_widths

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("320,640,1024,1600", [320, 640, 1024, 1600]), (" 800, 400 ,400", [400, 800]), ("48", [48])],
)
def test_widths_are_read_smallest_first_without_repeats(raw: str, expected: list[int]) -> None:
    """Widths are sorted and deduplicated."""
    assert parse_widths(raw) == expected


@pytest.mark.parametrize("raw", ["", "0,320", "abc", "8"])
def test_unusable_widths_are_refused(raw: str) -> None:
    """No widths, tiny widths or words are a configuration error."""
    with pytest.raises((SettingError, ValueError)):
        parse_widths(raw)


def test_format_and_storage_take_known_names_only() -> None:
    """Only the formats and stores Newsdesk can write are accepted."""
    assert parse_image_format(" WebP ") == "webp" and parse_media_storage("S3") == "s3"
    for parse, raw in ((parse_image_format, "avif"), (parse_media_storage, "ftp")):
        with pytest.raises(SettingError):
            parse(raw)


def storages_with(environ: dict[str, str], tmp_path: Path) -> dict[str, object]:
    """Load the settings module in a fresh interpreter and return its default storage."""
    code = (
        "import json, config.settings as s; "
        "print(json.dumps({'default': s.STORAGES['default'], 'MEDIA_URL': s.MEDIA_URL}))"
    )
    env = {**os.environ, **environ, "NEWSDESK_VAR_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_filesystem_storage_is_the_default(tmp_path: Path) -> None:
    """Without configuration, images are files served from /media/."""
    loaded = storages_with({}, tmp_path)
    assert loaded["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert loaded["MEDIA_URL"] == "/media/"


def test_s3_storage_serves_public_immutable_objects_from_its_own_address(tmp_path: Path) -> None:
    """The s3 store names the bucket, endpoint and public address, unsigned, cached for a year."""
    loaded = storages_with(
        {
            "NEWSDESK_MEDIA_STORAGE": "s3",
            "NEWSDESK_S3_BUCKET": "newsdesk-media",
            "NEWSDESK_S3_ENDPOINT_URL": "https://s3.example.net",
            "NEWSDESK_MEDIA_URL": "https://media.example.org/",
        },
        tmp_path,
    )
    storage = loaded["default"]
    assert isinstance(storage, dict)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "newsdesk-media"
    assert options["endpoint_url"] == "https://s3.example.net"
    assert options["custom_domain"] == "media.example.org"
    assert options["url_protocol"] == "https:"
    assert options["querystring_auth"] is False
    assert options["object_parameters"] == {"CacheControl": "public, max-age=31536000, immutable"}
