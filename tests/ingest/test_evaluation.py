"""The extraction benchmark: scoring rules, the fixed split, and the eval command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from newsdesk.ingest.evaluation.corpus import load_corpus, split_part
from newsdesk.ingest.evaluation.runner import format_losses
from newsdesk.ingest.evaluation.scoring import (
    SnippetCounts,
    metadata_matches,
    ngram_score,
    snippet_counts,
    tokens,
)

EXTRACTION = Path(__file__).resolve().parents[1] / "data" / "extraction"


def test_ngram_score_counts_shared_four_grams() -> None:
    """Precision and recall are the shares of 4-grams found in the other text."""
    expected = "one two three four five six"
    assert ngram_score(expected, expected).f1 == 1.0
    half = ngram_score("one two three four", expected)
    assert half.precision == 1.0 and half.recall == pytest.approx(1 / 3)
    assert ngram_score("", expected).f1 == 0.0


def test_scripts_without_spaces_count_characters() -> None:
    """Chinese, Japanese and Thai text is tokenised per character, Latin per word."""
    assert tokens("北京欢迎你 Hello, World") == ["北", "京", "欢", "迎", "你", "hello", "world"]


def test_snippets_follow_trafilaturas_rule() -> None:
    """Found must-snippets are true positives, found must-not-snippets false positives."""
    counts = snippet_counts("The body\u00a0text   here. Share this!", ["body text"], ["Share this"])
    assert (counts.true_pos, counts.false_pos, counts.false_neg, counts.true_neg) == (1, 1, 0, 0)
    assert counts.score().precision == 0.5
    only_must = SnippetCounts(true_pos=3, false_neg=1)
    assert only_must.score().precision is None and only_must.score().f1 is None


@pytest.mark.parametrize(
    ("field", "got", "want", "ok"),
    [
        ("date", "2019-08-20T09:31:01+00:00", "2019-08-20", True),
        ("author", "Jane Doe; John Roe", "Jane Doe and John Roe", True),
        ("author", "Jane Doe", "Jane Doe; John Roe", False),
        ("language", "en", "en-US", True),
        ("canonical", "https://a.example/x/", "https://a.example/x", True),
        ("title", "A title", "Another title", False),
    ],
)
def test_metadata_matching(field: str, got: str, want: str, ok: bool) -> None:
    """Each metadata field is compared by its own rule."""
    assert metadata_matches(field, got, want) is ok


def test_split_is_recorded_and_stable() -> None:
    """The recorded split is exactly what the hash rule gives, and ships the held-back part."""
    recorded = json.loads((EXTRACTION / "split.json").read_text())
    assert recorded and all(split_part(key) == part for key, part in recorded.items())
    shipped = load_corpus(EXTRACTION / "articles")
    assert {p.key for p in shipped} == {k for k, part in recorded.items() if part == "held-back"}


def test_eval_command_prints_table_and_writes_json(tmp_path: Path) -> None:
    """`newsdesk extract eval` scores all three tools on a corpus folder and writes JSON."""
    corpus = tmp_path / "corpus"
    source = EXTRACTION / "articles" / "newspaper4k"
    files = json.loads((source / "expected.json").read_text())["files"]
    names = sorted(files)[:2]
    (corpus / "newspaper4k").mkdir(parents=True)
    for name in names:
        shutil.copy(source / name, corpus / "newspaper4k" / name)
    (corpus / "newspaper4k" / "expected.json").write_text(
        json.dumps({"files": {n: files[n] for n in names}})
    )
    out = tmp_path / "eval.json"
    call_command(
        "extract",
        "eval",
        "--corpus",
        str(corpus),
        "--part",
        "all",
        "--json",
        str(out),
        "--losses",
        "3",
    )
    result = json.loads(out.read_text())
    tools = result["benchmarks"]["newspaper4k"]["tools"]
    assert set(tools) >= {"newsdesk", "newsdesk (stored HTML)", "trafilatura", "readability-lxml"}
    assert all(0 < tool["f1"] <= 1 for tool in tools.values())
    assert result["pages_per_second"]["newsdesk"] > 0
    # Both speed ratios, wall clock and CPU time, come out of the one run.
    assert result["speed_ratio_newsdesk_to_trafilatura"] > 0
    assert result["cpu_speed_ratio_newsdesk_to_trafilatura"] > 0


def test_losses_list_the_pages_where_a_single_tool_does_better() -> None:
    """The losses table ranks pages by how far Newsdesk trails the best other tool."""
    score = {"precision": None, "recall": None, "f1": None}
    result = {
        "per_page": {
            "a/close.html": {
                "newsdesk": {**score, "precision": 0.9, "recall": 0.9, "f1": 0.9},
                "trafilatura": {**score, "precision": 1.0, "recall": 0.9, "f1": 0.95},
                "readability-lxml": {**score, "precision": 0.8, "recall": 0.8, "f1": 0.8},
            },
            "b/far.html": {
                "newsdesk": {**score, "recall": 0.5},
                "trafilatura": {**score, "recall": 0.5},
                "readability-lxml": {**score, "recall": 1.0},
            },
            "d/metadata-only.html": {"part": "dev"},
            "e/unscored.html": {"newsdesk": score, "trafilatura": score, "readability-lxml": score},
            "c/ahead.html": {
                "newsdesk": {**score, "recall": 1.0},
                "trafilatura": {**score, "recall": 0.5},
                "readability-lxml": {**score, "recall": 0.5},
            },
        }
    }
    lines = format_losses(result, 5).splitlines()
    pages = [line.split(" | ")[0].removeprefix("| ") for line in lines if line.startswith("| ")]
    assert pages[1:] == ["b/far.html", "a/close.html"]
    assert "(of 2)" in lines[0]
