"""The packages are floors and imports only point down (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "newsdesk"

# Lowest first. Model modules sit low so every stage can name the tables;
# the behaviour of an app sits on its own, higher floor.
FLOORS: list[tuple[str, ...]] = [
    ("newsdesk.core",),
    # visitors: daily salts and the one visitor-id service, for hits and comments alike.
    ("newsdesk.sources.models", "newsdesk.stories.models", "newsdesk.visitors"),
    ("newsdesk.ingest",),
    ("newsdesk.sources", "newsdesk.stories"),
    ("newsdesk.hits", "newsdesk.comments"),
    # staff: the one staff chrome around the admin, dashboard, moderation and source health.
    ("newsdesk.site", "newsdesk.staff"),
    ("newsdesk.jobs", "newsdesk.demo"),
]
# Side by side on one floor, never importing each other.
APART = [("newsdesk.hits", "newsdesk.comments")]
# Ground-floor services that stand on core alone.
CORE_ONLY = ("newsdesk.visitors",)


def floor_of(module: str) -> tuple[int, str]:
    """Return the floor and the most specific prefix that places ``module``."""
    best = (-1, "")
    for level, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > len(best[1]):
                best = (level, prefix)
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every newsdesk module ``path`` imports, at any depth (function-level included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("newsdesk.")}


SOURCES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if "migrations" not in path.parts and "corpus" not in path.parts
)


def test_every_module_has_a_floor() -> None:
    """No package is left out of the floor plan."""
    unplaced = [module_name(p) for p in SOURCES if floor_of(module_name(p))[0] < 0]
    assert unplaced == [] or set(unplaced) == {"newsdesk", "newsdesk.cli"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    """A module imports only from its own floor or below, and never across APART."""
    here = module_name(path)
    level, prefix = floor_of(here)
    if level < 0:
        return
    for target in imported_modules(path):
        target_level, target_prefix = floor_of(target)
        assert target_level <= level, f"{here} imports {target}, a floor above"
        for left, right in APART:
            pair = {prefix.split(".models")[0], target_prefix.split(".models")[0]}
            assert pair != {left, right}, f"{here} imports {target}; they stay apart"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if module_name(p).startswith(CORE_ONLY)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_visitor_service_stands_on_core_alone(path: Path) -> None:
    """The visitor-id service imports only core and itself, so any app may use it."""
    here = module_name(path)
    for target in imported_modules(path):
        assert target.startswith(("newsdesk.core", *CORE_ONLY)), f"{here} imports {target}"
