"""The WSGI module hides what it loaded from the garbage collector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, clean_environ

pytestmark = pytest.mark.own_database

SCRIPT = """
import gc
import config.wsgi
assert callable(config.wsgi.application)
print(gc.get_freeze_count())
"""


def test_loading_the_application_freezes_what_it_loaded(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=clean_environ(NEWSDESK_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 10_000  # Django and the project's modules, at least
