"""The `newsdesk` operator command: Django's manage.py with Newsdesk's settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Where `make demo` leaves the environment it ran with (see newsdesk/demo).
DEMO_ENV_FILE = Path("var/demo/env")


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
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
