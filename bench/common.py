"""Shared bench helpers: Django set-up in a child process, timing, machine facts, JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(database_url: str, var_dir: str) -> None:
    """Configure Django for one database; call before importing models (once per process)."""
    os.environ["NEWSDESK_DATABASE_URL"] = database_url
    os.environ["NEWSDESK_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def percentile(samples: list[float], pct: float) -> float:
    """Return the nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_calls(call: Callable[[], object], repeat: int) -> dict[str, float]:
    """Run ``call`` ``repeat`` times; return p50, p95 and max in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
    }


def machine() -> dict[str, Any]:
    """Describe the machine the figures were measured on."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_kb"] = int(line.split()[1])
                break
    except OSError:
        pass
    import sqlite3

    info["sqlite"] = sqlite3.sqlite_version
    return info


def command_line() -> str:
    """Return how this benchmark was started, as typed from the repository (no local paths)."""
    program = Path(sys.argv[0])
    if program.name == "__main__.py":  # python -m package
        start = ["-m", program.parent.name]
    elif program.suffix == ".py":  # python -m package.module, or a script
        start = ["-m", ".".join(program.with_suffix("").parts[-2:])]
    else:
        start = [program.name]
    return " ".join(["python", *start, *sys.argv[1:]])


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write one benchmark's result with the machine and the exact command."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command_line(),
        "machine": machine(),
        **payload,
    }
    document["command"] = command_line()  # what was typed, not a child's own arguments
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def run_child(module: str, args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m module args`` and return the JSON it prints on its last line."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))
