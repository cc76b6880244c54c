"""The demo's console: the crawl summary first, the log lines the crawl wrote after it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from newsdesk.core.logging import FieldsFormatter


@contextmanager
def held_logs() -> Iterator[list[logging.LogRecord]]:
    """Keep Newsdesk's log records for later, so the progress bar and summary print cleanly."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("newsdesk")
    handler = _ListHandler(records)
    saved = logger.handlers[:]
    logger.handlers = [handler]
    try:
        yield records
    finally:
        logger.handlers = saved


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.INFO)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def print_held_logs(records: list[logging.LogRecord], console: Console, heading: str = "") -> None:
    """Print the held warnings (notes are only counted), under ``heading`` when given.

    ``heading`` may name ``{warnings}`` and ``{notes}``, the two counts.
    """
    warnings = [r for r in records if r.levelno >= logging.WARNING]
    notes = len(records) - len(warnings)
    if heading and records:
        console.print(heading.format(warnings=len(warnings), notes=notes))
    formatter = FieldsFormatter("  %(levelname)s %(name)s %(message)s")
    for record in warnings:
        console.print(formatter.format(record), markup=False, highlight=False)
