"""The ``eval`` action behind ``newsdesk extract eval`` and ``python -m bench.extraction``."""

from __future__ import annotations

import json
import logging
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from newsdesk.ingest.evaluation.corpus import Part, load_corpus
from newsdesk.ingest.evaluation.runner import (
    evaluate,
    evaluate_templates,
    format_losses,
    format_report,
)

# The corpus shipped with the repository: the held-back part of the shared corpus.
DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "tests" / "data" / "extraction" / "articles"


def run_eval(
    corpus: Path, part: Part | Literal["all"], *, templates: bool = True
) -> dict[str, Any]:
    """Score the tools on ``corpus`` and return the whole result (tables and per page)."""
    # trafilatura and htmldate log every page they discard; the report says it all.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    pages = load_corpus(corpus, part=part)
    if not pages:
        raise ValueError(f"no corpus pages under {corpus} (part {part})")
    result = evaluate(pages).as_dict()
    result["part"] = part
    result["corpus"] = corpus.name
    if templates:
        result["template_learning"] = evaluate_templates(pages)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["command"] = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    result["python"] = platform.python_version()
    return result


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def describe(result: dict[str, Any], losses: int = 0) -> str:
    """The comparison table, a line on template learning, and the ``losses`` worst pages."""
    text = format_report(result, f"Extraction, {result['part']} part of {result['corpus']}")
    learned = result.get("template_learning") or {}
    removed = sum(host["blocks_removed"] for host in learned.values())
    text += (
        f"\nTemplate learning (leave one page out, hosts with 2+ pages): {len(learned)} hosts,"
        f" {sum(h['pages'] for h in learned.values())} pages, {removed} blocks removed"
    )
    if losses:
        text += "\n\n" + format_losses(result, losses)
    return text
