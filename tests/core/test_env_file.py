"""The settings file `newsdesk` reads before Django starts (the demo's environment)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk import cli
from newsdesk.core.env import read_env_file, write_env_file
from tests.processes import clean_environ

pytestmark = pytest.mark.own_database

BIN = Path(sys.executable).parent


def test_written_values_read_back_unchanged(tmp_path: Path) -> None:
    """Values with spaces, quotes and '=' survive the round trip; blanks stay blank."""
    values = {
        "NEWSDESK_VAR_DIR": "/srv/news desk/var",
        "NEWSDESK_DISCLAIMER": 'It\'s "theirs" = not ours',
        "NEWSDESK_SECRET_KEY": "",
    }
    assert read_env_file(write_env_file(tmp_path / "env", values)) == values


def test_a_shell_reads_the_file_too(tmp_path: Path) -> None:
    """`. var/demo/env` in a POSIX shell sets the same values."""
    path = write_env_file(tmp_path / "env", {"NEWSDESK_SITE_NAME": "Desk $HOME `x`"})
    shown = subprocess.run(
        ["sh", "-c", f'. "{path}"; printf %s "$NEWSDESK_SITE_NAME"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "Desk $HOME `x`"


def test_other_lines_and_names_are_ignored(tmp_path: Path) -> None:
    """Comments, blank lines and variables not named NEWSDESK_* are skipped."""
    path = tmp_path / "env"
    path.write_text("# comment\n\nPATH=/tmp\nexport NEWSDESK_DEBUG=false\nNEWSDESK_BAD NAME=1\n")
    assert read_env_file(path) == {"NEWSDESK_DEBUG": "false"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, cli.DEMO_ENV_FILE),
        ({"NEWSDESK_VAR_DIR": "elsewhere"}, None),
        ({"NEWSDESK_DATABASE_URL": "postgres://db/news"}, None),
        ({"NEWSDESK_ENV_FILE": ""}, None),
        ({"NEWSDESK_ENV_FILE": "site.env", "NEWSDESK_VAR_DIR": "x"}, Path("site.env")),
    ],
)
def test_the_demo_file_is_read_only_when_no_database_was_chosen(
    environ: dict[str, str], expected: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo file counts only without VAR_DIR or DATABASE_URL set; NEWSDESK_ENV_FILE wins."""
    monkeypatch.chdir(tmp_path)
    write_env_file(tmp_path / cli.DEMO_ENV_FILE, {"NEWSDESK_VAR_DIR": "var/demo"})
    assert cli.env_file(environ) == expected


def test_set_variables_win_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable already in the environment is kept; the file fills in the rest."""
    monkeypatch.chdir(tmp_path)
    write_env_file(
        tmp_path / cli.DEMO_ENV_FILE,
        {"NEWSDESK_VAR_DIR": "var/demo", "NEWSDESK_SITE_NAME": "Demo"},
    )
    environ = {"NEWSDESK_SITE_NAME": "Mine"}
    assert cli.load_env_file(environ) == cli.DEMO_ENV_FILE
    assert environ == {"NEWSDESK_SITE_NAME": "Mine", "NEWSDESK_VAR_DIR": "var/demo"}


def test_newsdesk_uses_the_demo_database_and_says_so(tmp_path: Path) -> None:
    """Run from a folder holding var/demo/env, `newsdesk` works on the demo's var folder."""
    var = tmp_path / "var" / "demo"
    write_env_file(var / "env", {"NEWSDESK_VAR_DIR": str(var)})
    done = subprocess.run(
        [str(BIN / "newsdesk"), "diffsettings", "--all"],
        cwd=tmp_path,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "using the demo's settings from var/demo/env" in done.stderr
    assert f"VAR_DIR = PosixPath('{var}')" in done.stdout


def test_a_caller_with_loaded_settings_keeps_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Called in-process after settings were loaded (tests), `main` reads no settings file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSDESK_VAR_DIR", raising=False)
    monkeypatch.delenv("NEWSDESK_DATABASE_URL", raising=False)
    write_env_file(tmp_path / cli.DEMO_ENV_FILE, {"NEWSDESK_SITE_NAME": "Demo desk"})
    cli.main(["check"])
    assert "NEWSDESK_SITE_NAME" not in os.environ
    assert "demo's settings" not in capsys.readouterr().err


def test_emails_go_to_files_when_a_folder_is_set(tmp_path: Path) -> None:
    """NEWSDESK_EMAIL_FILE_PATH selects Django's file backend writing into that folder."""
    mail = tmp_path / "mail"
    done = subprocess.run(
        [str(BIN / "newsdesk"), "diffsettings", "--all"],
        cwd=tmp_path,
        env=clean_environ(NEWSDESK_VAR_DIR=str(tmp_path), NEWSDESK_EMAIL_FILE_PATH=str(mail)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "EMAIL_BACKEND = 'django.core.mail.backends.filebased.EmailBackend'" in done.stdout
    assert f"EMAIL_FILE_PATH = PosixPath('{mail}')" in done.stdout


def test_the_demo_fetches_only_its_own_loopback_corpus_by_default() -> None:
    """`newsdesk demo` works without `make demo`'s environment; the caller's values win."""
    environ: dict[str, str] = {}
    cli.apply_demo_defaults(environ)
    assert environ["NEWSDESK_FETCH_ALLOW_PRIVATE"] == "true"
    assert environ["NEWSDESK_FETCH_ALLOWED_HOSTS"] == "127.0.0.1"
    assert environ["NEWSDESK_FETCH_HOST_DELAY"] == "0"
    assert environ["NEWSDESK_VAR_DIR"] == "var/demo"
    assert Path(environ["NEWSDESK_EMAIL_FILE_PATH"]) == Path("var/demo/mail")

    chosen = {"NEWSDESK_VAR_DIR": "/srv/demo", "NEWSDESK_FETCH_HOST_DELAY": "2"}
    cli.apply_demo_defaults(chosen)
    assert chosen["NEWSDESK_FETCH_HOST_DELAY"] == "2"
    assert Path(chosen["NEWSDESK_EMAIL_FILE_PATH"]) == Path("/srv/demo/mail")
