"""Security headers on every response, no inline script or style in our templates, gzip."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from newsdesk.core.security import content_security_policy, permissions_policy
from tests.site.factories import make_article

NEWSDESK = Path(__file__).resolve().parents[2] / "newsdesk"
TEMPLATES = sorted(
    path
    for path in NEWSDESK.glob("*/templates/**/*")
    if path.is_file() and path.suffix in {".html", ".svg", ".txt"}
)
# <script> with a body (not src=, not a JSON data block), <style>, style= and on*= handlers.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_policy_forbids_inline_code_and_foreign_origins() -> None:
    """The CSP allows only our own origin, nothing inline, no plug-ins, base or framing."""
    csp = directives(content_security_policy())
    assert csp["default-src"] == ["'self'"]
    for name in ("script-src", "style-src", "img-src", "connect-src", "font-src", "form-action"):
        assert csp[name] == ["'self'"], name
    for name in ("object-src", "base-uri", "frame-ancestors"):
        assert csp[name] == ["'none'"], name
    assert "unsafe" not in content_security_policy()


def test_an_image_bucket_origin_is_the_only_addition(settings) -> None:
    """With images on an S3 bucket's own address, img-src names that origin and no other."""
    settings.MEDIA_URL = "https://media.example.org/newsdesk/"
    csp = directives(content_security_policy())
    assert csp["img-src"] == ["'self'", "https://media.example.org"]
    assert csp["default-src"] == ["'self'"]
    settings.MEDIA_URL = "/media/"
    assert directives(content_security_policy())["img-src"] == ["'self'"]


def test_permissions_policy_switches_off_sensors_and_ad_topics() -> None:
    """Camera, microphone, geolocation and the Topics API are off for every frame."""
    policy = permissions_policy()
    features = ("camera", "microphone", "geolocation", "browsing-topics", "interest-cohort")
    for feature in features:
        assert f"{feature}=()" in policy


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(NEWSDESK)))
def test_templates_hold_no_inline_script_or_style(template: Path) -> None:
    """No template of ours carries inline script, style or event handlers (CSP blocks them)."""
    text = template.read_text()
    for what, pattern in INLINE.items():
        match = pattern.search(text)
        assert match is None, f"{what} in {template.name}: {match and match.group(0)}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/latest/",
        "/search/?q=news",
        "/no-such-page/",
        "/feeds/latest.rss",
        "/hits/counter/site.svg",
    ],
)
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    """Pages, errors, feeds and counters carry CSP, Permissions-Policy and the older headers."""
    make_article()
    response = client.get(path)
    assert response["Content-Security-Policy"] == content_security_policy()
    assert response["Permissions-Policy"] == permissions_policy()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_admin_pages_carry_the_same_policy(client: Client) -> None:
    """The admin gets the same strict policy: Django 5.2's admin needs no inline script."""
    client.force_login(User.objects.create_superuser("boss", password="x-boss-pass-1"))
    for path in ("/admin/", "/admin/stories/article/", "/admin/stories/article/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == content_security_policy(), path


@pytest.mark.django_db
def test_reader_pages_are_gzipped_with_random_padding(client: Client) -> None:
    """An anonymous page is gzipped; two answers to one URL differ (BREACH padding)."""
    article = make_article(body_html="<p>" + "A long body of text. " * 200 + "</p>")
    url = article.get_absolute_url()
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    more = [client.get(url, HTTP_ACCEPT_ENCODING="gzip").content for _ in range(4)]
    assert first["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in first["Vary"]
    html = gzip.decompress(first.content).decode()
    assert "A long body of text." in html
    assert len(first.content) < len(html.encode()) / 2
    assert len({first.content, *more}) > 1  # random padding: answers differ in size


@pytest.mark.django_db
def test_signed_in_pages_are_not_compressed(client: Client) -> None:
    """Staff pages mix private data with reflected input: they are never compressed."""
    client.force_login(User.objects.create_superuser("boss", password="x-boss-pass-1"))
    response = client.get("/admin/stories/article/?q=guess", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"<html" in response.content


@pytest.mark.parametrize(
    ("content_type", "compress"),
    [
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("application/atom+xml; charset=utf-8", True),
        ("image/svg+xml", True),
        ("text/javascript", True),
        ("image/webp", False),
        ("image/jpeg", False),
        ("application/octet-stream", False),
    ],
)
def test_only_text_is_gzipped(content_type: str, compress: bool) -> None:
    """Text types are gzipped; images and binaries, compressed already, are left alone."""
    from newsdesk.core.security import is_compressible

    assert is_compressible(content_type) is compress
