"""HTTPS settings: secure by default for an https site, and `check --deploy` clean as documented."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from newsdesk.core.env import SettingError, read_all
from newsdesk.core.https import HSTS_DEFAULT_SECONDS, forwarded_allow_ips, https_settings
from tests.processes import ROOT, clean_environ, manage

pytestmark = pytest.mark.own_database

DEPLOYMENT = ROOT / "docs" / "deployment.md"


def derived(**env: str) -> dict[str, object]:
    return https_settings(read_all(env))


def test_plain_http_site_keeps_everything_off() -> None:
    """The default http://127.0.0.1 site gets no HSTS, no redirect and plain cookies."""
    values = derived()
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["CSRF_TRUSTED_ORIGINS"] == ["http://127.0.0.1:8000"]


def test_https_site_is_secure_by_default() -> None:
    """An https NEWSDESK_SITE_URL alone turns on redirect, HSTS (1 year, subdomains, preload)."""
    values = derived(NEWSDESK_SITE_URL="https://News.Example.org/", NEWSDESK_TRUSTED_PROXIES="")
    assert values == {
        "SECURE_PROXY_SSL_HEADER": None,  # no proxy listed: nobody may claim HTTPS
        "CSRF_TRUSTED_ORIGINS": ["https://news.example.org"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": HSTS_DEFAULT_SECONDS,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_trusted_proxy_header_and_explicit_overrides() -> None:
    """The proxy's header is honoured once a proxy is listed; explicit values beat defaults."""
    values = derived(
        NEWSDESK_SITE_URL="https://news.example.org",
        NEWSDESK_TRUSTED_PROXIES="10.0.0.0/8",
        NEWSDESK_PROXY_SSL_HEADER="X-Forwarded-Scheme",
        NEWSDESK_HSTS_SECONDS="300",
        NEWSDESK_HSTS_PRELOAD="false",
        NEWSDESK_SSL_REDIRECT="no",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_SCHEME", "https")
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_gunicorn_gets_the_same_proxies_as_exact_networks() -> None:
    """gunicorn's forwarded_allow_ips is the trusted list, host bits cleared as gunicorn wants."""
    assert (
        forwarded_allow_ips(["127.0.0.9", "10.1.2.3/8", "::1"]) == "127.0.0.9/32,10.0.0.0/8,::1/128"
    )
    assert forwarded_allow_ips([]) == ""


def test_a_trusted_proxy_must_be_an_address() -> None:
    """A host name or typo in NEWSDESK_TRUSTED_PROXIES fails at start, naming the variable."""
    with pytest.raises(SettingError, match="NEWSDESK_TRUSTED_PROXIES"):
        read_all({"NEWSDESK_TRUSTED_PROXIES": "proxy.internal"})


def documented_environment() -> dict[str, str]:
    """Read the production environment file shown in docs/deployment.md."""
    text = DEPLOYMENT.read_text(encoding="utf-8")
    block = re.search(r"```ini title=/etc/newsdesk/newsdesk\.env\n(.*?)```", text, re.S)
    assert block, "docs/deployment.md lost its production environment block"
    env = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    return env


def run_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # The documented folders are the server's; this machine writes a temporary one.
    env = {**env, "NEWSDESK_VAR_DIR": str(tmp_path), "NEWSDESK_STATIC_ROOT": str(tmp_path / "s")}
    return manage(clean_environ(**env), "check", "--deploy", "--fail-level", "WARNING", check=False)


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path: Path) -> None:
    """`newsdesk check --deploy` prints no warning for docs/deployment.md's environment."""
    env = documented_environment()
    assert env["NEWSDESK_SITE_URL"].startswith("https://")
    done = run_check(env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_about_an_https_site_without_its_proxy(tmp_path: Path) -> None:
    """Without NEWSDESK_TRUSTED_PROXIES an https site would loop on its SSL redirect: a warning."""
    env = documented_environment()
    env["NEWSDESK_TRUSTED_PROXIES"] = ""
    done = run_check(env, tmp_path)
    assert done.returncode != 0
    assert "newsdesk.W001" in done.stderr + done.stdout
