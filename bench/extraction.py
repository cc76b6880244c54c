"""Extraction benchmark: Newsdesk vs bare trafilatura vs readability-lxml, one run.

python -m bench.extraction [--corpus PATH] [--part held-back|dev|all]

Prints the comparison table and the JSON result on its last line (bench/__main__.py
stores it in bench/results/extraction.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from newsdesk.ingest.evaluation.command import DEFAULT_CORPUS, describe, run_eval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--part", choices=["held-back", "dev", "all"], default="held-back")
    args = parser.parse_args()
    result = run_eval(args.corpus, args.part)
    print(describe(result), file=sys.stderr)
    result.pop("per_page", None)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
