"""The `newsdesk` operator command: Django's manage.py with Newsdesk's settings."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path

# Where `make demo` leaves the environment it ran with (see newsdesk/demo).
DEMO_ENV_FILE = Path("var/demo/env")


# What `newsdesk demo` needs to crawl its own corpus server on 127.0.0.1 (and only
# that host) at full speed; variables already set win. `make demo` relies on these.
DEMO_DEFAULTS = {
    "NEWSDESK_FETCH_ALLOW_PRIVATE": "true",
    "NEWSDESK_FETCH_ALLOWED_HOSTS": "127.0.0.1",
    "NEWSDESK_FETCH_HOST_DELAY": "0",
    "NEWSDESK_VAR_DIR": "var/demo",
}


def env_file(environ: dict[str, str] | os._Environ[str]) -> Path | None:
    """Return the file of settings to read before Django starts, if any.

    ``NEWSDESK_ENV_FILE`` names one (empty: none). Otherwise the demo's file is
    read when present, but only if the caller chose no database of their own
    (neither ``NEWSDESK_VAR_DIR`` nor ``NEWSDESK_DATABASE_URL`` set), so that
    after `make demo` the README's commands work on the demo's database.
    """
    if "NEWSDESK_ENV_FILE" in environ:
        named = environ["NEWSDESK_ENV_FILE"]
        return Path(named) if named else None
    if "NEWSDESK_VAR_DIR" in environ or "NEWSDESK_DATABASE_URL" in environ:
        return None
    return DEMO_ENV_FILE if DEMO_ENV_FILE.is_file() else None


def load_env_file(environ: dict[str, str] | os._Environ[str]) -> Path | None:
    """Add the env file's settings to ``environ``; variables already set win."""
    from newsdesk.core.env import read_env_file

    path = env_file(environ)
    if path is None:
        return None
    for name, value in read_env_file(path).items():
        environ.setdefault(name, value)
    return path


def apply_demo_defaults(environ: dict[str, str] | os._Environ[str]) -> None:
    """Give `newsdesk demo` what it needs that the caller did not set."""
    for name, value in DEMO_DEFAULTS.items():
        environ.setdefault(name, value)
    # Emails to files beside the demo's database, not to a mail server.
    environ.setdefault("NEWSDESK_EMAIL_FILE_PATH", str(Path(environ["NEWSDESK_VAR_DIR"]) / "mail"))


def main(argv: list[str] | None = None) -> None:
    """Run a management command (`newsdesk crawl`, `newsdesk add-source`...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Settings are read once: a caller that already loaded them (tests) keeps its own.
    if not settings.configured:
        try:
            used = load_env_file(os.environ)
        except OSError as exc:
            sys.exit(f"newsdesk: cannot read the settings file: {exc}")
        if used == DEMO_ENV_FILE:
            # On stderr, so that `newsdesk stories export > file` stays clean.
            print(f"newsdesk: using the demo's settings from {used}", file=sys.stderr)

    args = list(sys.argv if argv is None else ["newsdesk", *argv])
    # Operators type dashes; Django command modules use underscores.
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    if len(args) > 1 and args[1] == "demo" and not settings.configured:
        apply_demo_defaults(os.environ)
    execute_from_command_line(args)


def run() -> None:
    """The console script: run the command, then leave without tearing the interpreter down.

    After a crawl the process holds millions of small objects (parsed pages, the ORM's
    caches, trafilatura's and lxml's tables); the interpreter's teardown runs a full
    garbage collection and frees them one by one, which took 1-2.5 s after `newsdesk demo
    --no-serve`. Everything that must happen at exit is an atexit hook (the hit tracker's
    flush, the extraction pool, logging), so those run here, then the process ends. When a
    thread the command started is still working, it exits the ordinary way and waits.
    """
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = None
    if any(
        thread.is_alive() and not thread.daemon
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # sys.exit("message") prints it and exits with 1
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    run()
