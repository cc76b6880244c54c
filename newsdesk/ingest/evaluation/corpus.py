"""Read a saved-page corpus and split it deterministically into dev and held-back parts.

Layout (the shared test corpus's): ``<root>/<origin>/<name>.html`` with one
``<root>/<origin>/expected.json`` of ``{"_about": ..., "files": {"<name>.html": {...}}}``.
The split depends only on the origin and file name, so it is the same on every
machine and never moves when pages are added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Part = Literal["dev", "held-back"]
# About three pages in ten are held back; tuning looks only at the rest.
HELD_BACK_PERCENT = 30
BENCHMARKS = (
    "newspaper4k",
    "trafilatura",
    "trafilatura-eval",
    "goose3",
    "readability",
    "postlight",
)


@dataclass(frozen=True)
class CorpusPage:
    """One saved page and what its origin expects from an extractor."""

    origin: str
    name: str
    path: Path
    expected: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.origin}/{self.name}"

    @property
    def url(self) -> str:
        return str(self.expected.get("url") or "")

    @property
    def part(self) -> Part:
        return split_part(self.key)

    def read(self) -> bytes:
        return self.path.read_bytes()


def split_part(key: str) -> Part:
    """Return the part ``origin/name`` belongs to, from a hash of the key alone."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    bucket = int.from_bytes(digest[:4], "big") % 100
    return "held-back" if bucket < HELD_BACK_PERCENT else "dev"


def load_corpus(root: Path, *, part: Part | Literal["all"] = "all") -> list[CorpusPage]:
    """Return the corpus's pages that have an expected.json entry, in a stable order."""
    pages: list[CorpusPage] = []
    for origin in sorted(p.name for p in root.iterdir() if (p / "expected.json").is_file()):
        files = json.loads((root / origin / "expected.json").read_text(encoding="utf-8"))["files"]
        for name in sorted(files):
            path = root / origin / name
            if path.is_file():
                pages.append(CorpusPage(origin, name, path, files[name]))
    return [page for page in pages if part == "all" or page.part == part]
