"""Run Newsdesk and the single-tool baselines over a corpus, side by side, and report.

Tools: Newsdesk's ``extract_article`` (its plain ``text``; and, as a second row,
the stored HTML after sanitizing, as a reader sees it), bare
``trafilatura.extract(include_comments=False)`` and readability-lxml
(``Document(html).summary()``). Every tool runs on every page in turn, so slow
spells of a shared machine hit all of them alike; only the extraction call is
timed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from newsdesk.core.text import html_to_text
from newsdesk.ingest.errors import ExtractError
from newsdesk.ingest.evaluation.corpus import BENCHMARKS, CorpusPage
from newsdesk.ingest.evaluation.scoring import (
    METADATA_FIELDS,
    BodyTally,
    date_text,
    expected_metadata,
    has_body_expectation,
    metadata_matches,
)
from newsdesk.ingest.extract import extract_article
from newsdesk.ingest.sanitize import sanitize_html
from newsdesk.ingest.template import SourceTemplate, TemplateState, observe
from newsdesk.ingest.text import decode_html

NEWSDESK, STORED, TRAFILATURA, READABILITY = (
    "newsdesk",
    "newsdesk (stored HTML)",
    "trafilatura",
    "readability-lxml",
)
TOOLS = (NEWSDESK, STORED, TRAFILATURA, READABILITY)


@dataclass
class Output:
    """What one tool gave for one page: body text and whatever metadata it reads."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    # Newsdesk's HTML as extracted, sanitized and scored after the timed call.
    html: str | None = None


Extractor = Callable[[bytes, str], dict[str, Output]]


def run_newsdesk(html: bytes, url: str) -> dict[str, Output]:
    try:
        page = extract_article(html, url=url)
    except ExtractError:
        # A page without a body still counts for metadata, as a miss on every
        # field: the pipeline stores nothing of it.
        return {NEWSDESK: Output("", dict.fromkeys(METADATA_FIELDS, ""), html="")}
    metadata = {
        "title": page.title,
        "author": page.author,
        "date": date_text(page.published),
        "image": page.image_url,
        "language": page.language,
        "canonical": page.canonical_url,
    }
    return {NEWSDESK: Output(page.text, metadata, html=page.html)}


def stored_output(output: Output, url: str) -> Output:
    """What a reader of the stored article sees: the HTML after the pipeline's sanitizer.

    Sanitizing is the pipeline's next stage (sanitize.py), not extraction, and
    the other tools' outputs are not sanitized either: it is left out of the timing.
    """
    return Output(html_to_text(sanitize_html(output.html, base_url=url)) if output.html else "")


def run_trafilatura(html: bytes, url: str) -> dict[str, Output]:
    import trafilatura

    text = trafilatura.extract(html, url=url or None, include_comments=False) or ""
    return {TRAFILATURA: Output(text)}


def trafilatura_metadata(html: bytes, url: str) -> dict[str, str]:
    """trafilatura's own metadata (not timed: bare ``extract`` does not read it)."""
    import trafilatura

    meta = trafilatura.extract_metadata(html, default_url=url or None)
    if meta is None:
        return {}
    return {
        "title": meta.title or "",
        "author": meta.author or "",
        "date": meta.date or "",
        "image": meta.image or "",
        "canonical": meta.url or "",
    }


def run_readability(html: bytes, url: str) -> dict[str, Output]:
    from readability import Document

    try:
        document = Document(decode_html(html), url=url or None)
        text = html_to_text(document.summary(html_partial=True))
        title = document.short_title()
    except Exception:
        # readability-lxml raises its own Unparseable and lxml errors on odd pages.
        return {READABILITY: Output("")}
    return {READABILITY: Output(text, {"title": title})}


RUNNERS: dict[str, Extractor] = {
    NEWSDESK: run_newsdesk,
    TRAFILATURA: run_trafilatura,
    READABILITY: run_readability,
}


@dataclass
class Report:
    """Scores of every tool, per benchmark, with metadata accuracy and speed."""

    pages: int = 0
    body: dict[str, dict[str, BodyTally]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(BodyTally))
    )
    metadata: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))
    )
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # CPU time of this process: on a loaded machine it moves less than wall time.
    cpu_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    per_page: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, page: CorpusPage, outputs: dict[str, Output]) -> None:
        self.pages += 1
        wanted = expected_metadata(page.expected)
        row: dict[str, Any] = {"part": page.part}
        for tool, output in outputs.items():
            if has_body_expectation(page.expected):
                tally = BodyTally()
                tally.add(output.text, page.expected)
                self.body[page.origin][tool].add(output.text, page.expected)
                _, prf = tally.score()
                row[tool] = {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1}
            for name, want in wanted.items():
                if name in output.metadata:
                    counts = self.metadata[tool][name]
                    counts[1] += 1
                    counts[0] += metadata_matches(name, output.metadata[name], want)
        self.per_page[page.key] = row

    def as_dict(self) -> dict[str, Any]:
        benchmarks: dict[str, Any] = {}
        for origin in [b for b in BENCHMARKS if b in self.body]:
            entry: dict[str, Any] = {"tools": {}}
            for tool, tally in self.body[origin].items():
                metric, prf = tally.score()
                entry["metric"], entry["pages"] = metric, tally.pages
                entry["tools"][tool] = _rounded(
                    {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1}
                )
            benchmarks[origin] = entry
        speed = {
            tool: round(self.pages / seconds, 2)
            for tool, seconds in self.seconds.items()
            if seconds
        }
        ratio = None
        if speed.get(NEWSDESK) and speed.get(TRAFILATURA):
            ratio = round(speed[NEWSDESK] / speed[TRAFILATURA], 3)
        cpu_ratio = None
        if self.cpu_seconds.get(NEWSDESK) and self.cpu_seconds.get(TRAFILATURA):
            cpu_ratio = round(self.cpu_seconds[TRAFILATURA] / self.cpu_seconds[NEWSDESK], 3)
        return {
            "pages": self.pages,
            "benchmarks": benchmarks,
            "macro_f1": {tool: _macro_f1(benchmarks, tool) for tool in TOOLS},
            "metadata": {
                tool: {name: {"correct": c[0], "of": c[1]} for name, c in fields.items()}
                for tool, fields in self.metadata.items()
            },
            "pages_per_second": speed,
            "speed_ratio_newsdesk_to_trafilatura": ratio,
            "cpu_speed_ratio_newsdesk_to_trafilatura": cpu_ratio,
            "per_page": self.per_page,
        }


def evaluate(pages: Iterable[CorpusPage], tools: Iterable[str] = RUNNERS) -> Report:
    """Run ``tools`` on every page in turn and score them."""
    report = Report()
    chosen = [tool for tool in RUNNERS if tool in set(tools)]
    for page in pages:
        html = page.read()
        outputs: dict[str, Output] = {}
        for tool in chosen:
            start, cpu_start = time.perf_counter(), time.process_time()
            outputs.update(RUNNERS[tool](html, page.url))
            report.seconds[tool] += time.perf_counter() - start
            report.cpu_seconds[tool] += time.process_time() - cpu_start
        if NEWSDESK in outputs:
            outputs[STORED] = stored_output(outputs[NEWSDESK], page.url)
        if TRAFILATURA in outputs:
            outputs[TRAFILATURA].metadata = trafilatura_metadata(html, page.url)
        report.add(page, outputs)
    return report


def _macro_f1(benchmarks: dict[str, Any], tool: str) -> float | None:
    """Mean F1 over the benchmarks that define one (precision and recall both measured)."""
    values = [b["tools"][tool]["f1"] for b in benchmarks.values() if tool in b["tools"]]
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def _rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {k: (round(v, 4) if v is not None else None) for k, v in values.items()}


def format_report(result: dict[str, Any], title: str) -> str:
    """Render the comparison as Markdown tables."""
    lines = [f"### {title}", "", _body_header()]
    lines.append("|---|---|---|" + "---|" * len(TOOLS))
    for origin, entry in result["benchmarks"].items():
        cells = [_cell(entry["tools"].get(tool)) for tool in TOOLS]
        lines.append(
            f"| {origin} | {entry['metric']} | {entry['pages']} | " + " | ".join(cells) + " |"
        )
    macro = [_num(result["macro_f1"].get(tool)) for tool in TOOLS]
    lines.append("| **mean F1** | benchmarks with P and R | | " + " | ".join(macro) + " |")
    lines += ["", "Metadata (correct / pages with an expected value):", ""]
    lines.append("| field | " + " | ".join(t for t in TOOLS if t in result["metadata"]) + " |")
    lines.append("|---|" + "---|" * len(result["metadata"]))
    for name in METADATA_FIELDS:
        row = []
        for tool in [t for t in TOOLS if t in result["metadata"]]:
            counts = result["metadata"][tool].get(name)
            row.append(f"{counts['correct']}/{counts['of']}" if counts else "-")
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    speed = result["pages_per_second"]
    lines += [
        "",
        "Speed, pages/s in one process: " + ", ".join(f"{t} {v}" for t, v in speed.items()),
    ]
    lines.append(
        f"Newsdesk / trafilatura: {result['speed_ratio_newsdesk_to_trafilatura']}"
        f" (wall clock), {result.get('cpu_speed_ratio_newsdesk_to_trafilatura')} (CPU time)"
    )
    return "\n".join(lines)


def format_losses(result: dict[str, Any], count: int) -> str:
    """The ``count`` pages where Newsdesk trails the best single tool most, as a table.

    A page's score is its F1 where the benchmark gives one, else its recall; this
    is the list to read when tuning on the development part.
    """
    rows = []
    for key, row in result["per_page"].items():
        ours = _page_score(row.get(NEWSDESK))
        others = [_page_score(row.get(tool)) for tool in (TRAFILATURA, READABILITY)]
        best = max((value for value in others if value is not None), default=None)
        if ours is not None and best is not None and best > ours:
            rows.append((best - ours, key, row))
    rows.sort(key=lambda item: (-item[0], item[1]))
    lines = [
        f"Pages where Newsdesk trails a single tool most (of {len(rows)}):",
        "",
        "| page | gap | " + " | ".join(f"{t} P / R / F1" for t in _PAGE_TOOLS) + " |",
        "|---|---|" + "---|" * len(_PAGE_TOOLS),
    ]
    for gap, key, row in rows[:count]:
        cells = [_cell(row.get(tool)) for tool in _PAGE_TOOLS]
        lines.append(f"| {key} | {gap:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


_PAGE_TOOLS = (NEWSDESK, TRAFILATURA, READABILITY)


def _page_score(values: dict[str, float | None] | None) -> float | None:
    if not values:
        return None
    return values["f1"] if values.get("f1") is not None else values.get("recall")


def _body_header() -> str:
    return "| benchmark | metric | pages | " + " | ".join(f"{t} P / R / F1" for t in TOOLS) + " |"


def _cell(values: dict[str, float | None] | None) -> str:
    if not values:
        return "-"
    return " / ".join(_num(values[k]) for k in ("precision", "recall", "f1"))


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def evaluate_templates(pages: Iterable[CorpusPage], min_pages: int = 2) -> dict[str, Any]:
    """Score template learning on hosts with several pages, leaving each page out in turn.

    For every page of a host with ``min_pages`` or more pages, the template is
    learned from the host's other pages, then the page is extracted with and
    without it; the report gives the body scores both ways and the blocks removed.
    """
    by_host: dict[str, list[tuple[CorpusPage, bytes, Any]]] = defaultdict(list)
    for page in pages:
        if not has_body_expectation(page.expected):
            continue
        html = page.read()
        try:
            extracted = extract_article(html, url=page.url)
        except ExtractError:
            continue
        by_host[extracted.template_host].append((page, html, extracted))
    hosts: dict[str, Any] = {}
    for host, group in sorted(by_host.items()):
        if len(group) < min_pages or not host:
            continue
        plain, learned = BodyTally(), BodyTally()
        removed = 0
        for index, (page, html, extracted) in enumerate(group):
            state = TemplateState()
            for other_index, (other, _, other_page) in enumerate(group):
                if other_index != index:
                    observe(state, other.key, other_page.block_prints)
            template = SourceTemplate({host: state.learned()})
            cleaned = extract_article(html, url=page.url, template=template)
            removed += len(extracted.text.split("\n")) - len(cleaned.text.split("\n"))
            plain.add(extracted.text, page.expected)
            learned.add(cleaned.text, page.expected)
        hosts[host] = {
            "pages": len(group),
            "blocks_removed": removed,
            "without": _score_dict(plain),
            "with_template": _score_dict(learned),
        }
    return hosts


def _score_dict(tally: BodyTally) -> dict[str, Any]:
    metric, prf = tally.score()
    return {
        "metric": metric,
        **_rounded({"precision": prf.precision, "recall": prf.recall, "f1": prf.f1}),
    }
