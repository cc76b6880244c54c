"""The `newsdesk` console script ends without the interpreter's teardown, losing nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, clean_environ

pytestmark = pytest.mark.own_database

# Runs the console script's entry point with an atexit hook of its own, as the hit
# tracker's flush and the extraction pool register theirs.
SCRIPT = """
import atexit, sys, threading, time
from newsdesk import cli

atexit.register(lambda: print("atexit hook ran", flush=True))
if sys.argv[1] == "thread":
    def late() -> None:
        time.sleep(0.3)
        print("thread finished", flush=True)
    threading.Thread(target=late).start()
    sys.argv[1:] = ["check"]
sys.argv[0] = "newsdesk"
cli.run()
"""


def run_script(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_environ(NEWSDESK_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_finished_command_runs_the_exit_hooks_and_keeps_its_output(tmp_path: Path) -> None:
    done = run_script(tmp_path, "check")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    assert done.stdout.rstrip().endswith("atexit hook ran")


def test_a_failing_command_keeps_its_exit_code_and_message(tmp_path: Path) -> None:
    done = run_script(tmp_path, "no-such-command")
    assert done.returncode == 1
    assert "Unknown command" in done.stderr
    assert "atexit hook ran" in done.stdout


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    done = run_script(tmp_path, "thread")
    assert done.returncode == 0, done.stderr
    assert "thread finished" in done.stdout and "atexit hook ran" in done.stdout
